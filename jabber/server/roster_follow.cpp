// Roster pushes and presence after identity changes (schema/019, 025; RFC 6121
// 2.1.6, 2.5, 3.1.5, 3.2.2, 4.5.2).
#include "jabber/server/roster_follow.hpp"

#include "core/journal/journal.hpp"
#include "core/util/crypto_random.hpp"
#include "jabber/proto/roster.hpp"
#include "jabber/proto/subscription.hpp"
#include "jabber/server/router.hpp"
#include "jabber/server/session_table.hpp"
#include "jabber/store/roster_store.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>

namespace posta::jabber::server {
namespace {

std::string string_field(boost::json::object const& o, char const* key) {
  auto const* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

bool presence_flows_to_user(proto::subscription s) {
  return s == proto::subscription::both || s == proto::subscription::to;
}

void deliver_all(std::vector<std::shared_ptr<outbox>> const& boxes, std::string const& bytes) {
  for (auto const& b : boxes) b->deliver(bytes);
}

// The push of `item` at `version` to `account`'s interested resources,
// with the contact's presence as the new state says: unavailable before the
// push when it stopped flowing (after it, a client would list the contact
// again for its presence), its current presence after the push when it now
// flows to the user.
void push_item(router& routes, std::string const& account, std::int64_t version, proto::roster_item const& item) {
  auto const available = routes.available(account);
  bool const flows = presence_flows_to_user(item.sub);
  if (!flows) deliver_all(available, proto::format_presence(item.jid, account, "unavailable"));
  auto const ver = std::to_string(version);
  for (auto const& [resource, box] : routes.roster_interested(account)) {
    auto id = util::random_token(6);
    box->deliver(proto::format_roster_push("push-" + (id ? *id : ver), account + "/" + resource, ver, item));
  }
  if (flows)
    for (auto const& p : routes.presences(item.jid)) deliver_all(available, p);
}

}  // namespace

asio::awaitable<void> roster_follow::on_notify(std::string payload) {
  boost::system::error_code ec;
  auto doc = boost::json::parse(payload, ec);
  if (ec || !doc.is_object()) co_return;
  auto const& o = doc.get_object();
  auto const account = string_field(o, "account");
  auto const contact = string_field(o, "contact");
  auto const domain = string_field(o, "domain");
  if (!account.empty() && !contact.empty()) co_await item_changed(account, contact);
  if (!domain.empty()) co_await domain_changed(domain);
  // schema/025: a shared directory group changed several items at once.
  // SECURITY: the database sends at most 40 contacts a notification.
  auto const* contacts = o.if_contains("contacts");
  if (account.empty() || contacts == nullptr || !contacts->is_array()) co_return;
  std::vector<std::string> names;
  for (auto const& c : contacts->get_array())
    if (c.is_string() && names.size() < 40) names.emplace_back(c.get_string());
  co_await items_changed(account, names);
}

asio::awaitable<void> roster_follow::items_changed(std::string const& account,
                                                   std::vector<std::string> const& contacts) {
  if (contacts.empty() || (routes_.roster_interested(account).empty() && routes_.available(account).empty())) co_return;
  auto changes = co_await rosters_.load_items(account, contacts);
  if (!changes) {
    journal::record(journal::level::error, "xmpp", "roster push after a shared group change failed",
                    {{"user", account}, {"detail", changes.error().message()}});
    co_return;
  }
  for (auto const& change : *changes) push_item(routes_, account, change.version, change.item);
}

asio::awaitable<void> roster_follow::item_changed(std::string const& account, std::string const& contact) {
  if (routes_.roster_interested(account).empty() && routes_.available(account).empty()) co_return;
  auto change = co_await rosters_.load_item(account, contact);
  if (!change) {
    journal::record(journal::level::error, "xmpp", "roster push after an identity change failed",
                    {{"user", account}, {"detail", change.error().message()}});
    co_return;
  }
  push_item(routes_, account, change->version, change->item);
}

// Every member of `domain` with a session here is pushed every other
// member, as its roster now lists it (or its removal).
asio::awaitable<void> roster_follow::domain_changed(std::string const& domain) {
  auto const suffix = "@" + domain;
  std::vector<std::string> here;
  for (auto const& a : table_.accounts())
    if (a.ends_with(suffix)) here.push_back(a);
  if (here.empty()) co_return;
  auto rows = co_await rosters_.pool().q(
      "SELECT a.address FROM accounts a JOIN domains d ON d.id = a.domain_id WHERE d.name = $1 ORDER BY 1", domain);
  if (!rows) co_return;
  std::vector<std::string> members;
  for (int r = 0; r < rows->size(); ++r) members.push_back(rows->str(r, 0));
  for (auto const& account : here) {
    auto roster = co_await rosters_.load(account);
    if (!roster) continue;
    for (auto const& m : members) {
      if (m == account) continue;
      auto it = std::find_if(roster->items.begin(), roster->items.end(), [&](auto const& i) { return i.jid == m; });
      auto item = it != roster->items.end() ? *it : proto::roster_item{m, {}, {}, proto::subscription::remove, false};
      push_item(routes_, account, roster->version, item);
    }
  }
}

}  // namespace posta::jabber::server
