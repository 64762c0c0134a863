// Unacknowledged stanzas of an ended c2s session (XEP-0198 4, 5; RFC 6121
// 8.5.3.2.1; XEP-0160).
#include "jabber/server/redelivery.hpp"

#include "core/journal/journal.hpp"
#include "core/settings/settings.hpp"
#include "core/util/date.hpp"
#include "jabber/proto/namespaces.hpp"
#include "jabber/server/context.hpp"
#include "jabber/server/router.hpp"
#include "jabber/store/offline.hpp"
#include "jabber/store/roster_store.hpp"
#include "jabber/xml/error_tags.hpp"
#include "jabber/xml/jid.hpp"
#include "jabber/xml/stanza_bytes.hpp"
#include "jabber/xml/stream_event.hpp"

#include <chrono>

namespace posta::jabber::server {
namespace {

bool has_child_in(gloox::Tag const& tag, std::string_view ns) {
  for (auto* c : tag.children())
    if (c->xmlns() == ns) return true;
  return false;
}

// The error goes back to the stanza's sender, if it is still here.
void bounce(context& ctx, gloox::Tag const& stanza) {
  if (stanza.findAttribute("type") == "error") return;  // RFC 6120 8.3.1
  auto from = xml::parse_jid(stanza.findAttribute("from"));
  if (!from || from->resource().empty()) return;
  auto box = ctx.routes.find(from->bare(), from->resource());
  if (!box) return;
  auto reply = xml::make_error_reply(stanza, proto::make_stanza_error(proto::stanza_condition::service_unavailable));
  box->deliver(reply->xml());
}

asio::awaitable<void> redeliver_message(context& ctx, std::string const& account, std::string const& host,
                                        gloox::Tag& msg) {
  auto const type = msg.findAttribute("type");
  // A copy (XEP-0280) went to this resource only: its original is elsewhere.
  if (type == "error" || type == "groupchat" || has_child_in(msg, proto::ns::carbons)) co_return;
  auto targets = ctx.routes.for_bare_jid(account);
  if (!targets.empty()) {
    auto const bytes = msg.xml();
    for (auto& t : targets) t->deliver(bytes);
    co_return;
  }
  if (type == "headline") co_return;  // RFC 6121 8.5.2.2: not kept
  stamp_delay(msg, host);
  auto const max = ctx.settings.get_int("xmpp.max_offline_messages");
  auto stored = co_await store::store_offline(ctx.rosters.pool(), account, msg.xml(), max);
  // DURABILITY: committed before anything else happens to it; until then the
  // only copy is in this session's memory (a crash loses it, as it would
  // lose an unacknowledged stanza without stream management).
  if (stored && *stored == store::offline_outcome::stored) co_return;
  if (!stored)
    journal::record(journal::level::error, "xmpp", "offline storage failed",
                    {{"user", account}, {"detail", stored.error().message()}});
  bounce(ctx, msg);
}

}  // namespace

void stamp_delay(gloox::Tag& msg, std::string const& host) {
  for (auto* c : msg.children())
    if (c->name() == "delay" && c->xmlns() == proto::ns::delay) return;
  auto* delay = new gloox::Tag(&msg, "delay");
  delay->setXmlns(std::string(proto::ns::delay));
  delay->addAttribute("from", host);
  delay->addAttribute("stamp", util::utc_datetime(std::chrono::system_clock::now()));  // XEP-0082
}

asio::awaitable<void> redeliver(context& ctx, std::string const& account, std::string const& host,
                                std::vector<std::string> stanzas) {
  // Queued bytes may be larger than what a client may send: a carbon wraps
  // a message, offline storage adds a delay.
  auto const kb = static_cast<std::size_t>(ctx.settings.get_int("xmpp.max_stanza_kb"));
  auto const limits = xml::limits_for_stanza_kb(2 * kb + 4);
  for (auto const& bytes : stanzas) {
    auto tag = xml::parse_stanza_bytes(bytes, limits);
    if (!tag) continue;
    if (tag->name() == "message") {
      co_await redeliver_message(ctx, account, host, *tag);
    } else if (tag->name() == "iq") {
      auto const type = tag->findAttribute("type");
      if (type == "get" || type == "set") bounce(ctx, *tag);
    }
  }
}

}  // namespace posta::jabber::server
