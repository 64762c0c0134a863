// Sessions of disabled or deleted accounts end (issue 11; RFC 6120 4.9.3.12).
#include "jabber/server/account_watch.hpp"

#include "core/db/arrays.hpp"
#include "core/journal/journal.hpp"
#include "jabber/server/session_table.hpp"

#include <set>

namespace posta::jabber::server {

asio::awaitable<void> account_watch::check() {
  auto const here = table_.accounts();
  if (here.empty()) co_return;
  auto rows = co_await pool_.q("SELECT address FROM accounts WHERE address = ANY($1::text[]) AND enabled",
                               db::text_array(here));
  if (!rows) {
    journal::record(journal::level::error, "xmpp", "account states not checked", {{"detail", rows.error().message()}});
    co_return;
  }
  std::set<std::string> enabled;
  for (int r = 0; r < rows->size(); ++r) enabled.insert(rows->str(r, 0));
  for (auto const& account : here) {
    if (enabled.contains(account)) continue;
    auto const ended = table_.kick(account, proto::stream_condition::not_authorized, "account disabled or deleted");
    journal::record(journal::level::info, "xmpp", "sessions of a disabled or deleted account ended",
                    {{"user", account}, {"sessions", ended}});
  }
}

}  // namespace posta::jabber::server
