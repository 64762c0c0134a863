// The roster of the session's account (RFC 6121 section 2): get, with
// versioning (2.6: an empty result when the client's version is current,
// else the whole roster), set and remove (2.3-2.5), and the push of each
// change to every resource of the account that asked for its roster (2.1.6).
#include "core/journal/journal.hpp"
#include "core/settings/settings.hpp"
#include "core/util/crypto_random.hpp"
#include "jabber/proto/iq_replies.hpp"
#include "jabber/proto/namespaces.hpp"
#include "jabber/server/router.hpp"
#include "jabber/server/session.hpp"
#include "jabber/store/roster_store.hpp"
#include "jabber/xml/jid.hpp"

namespace posta::jabber::server {
namespace {

gloox::Tag* roster_query(gloox::Tag const& iq) {
  for (auto* c : iq.children())
    if (c->xmlns() == proto::ns::roster && c->name() == "query") return c;
  return nullptr;
}

proto::roster_set_request read_roster_set(gloox::Tag const& query) {
  proto::roster_set_request req;
  for (auto* item : query.children()) {
    if (item->name() != "item" || item->xmlns() != proto::ns::roster) continue;
    if (req.item_count++ > 0) continue;
    req.jid = item->findAttribute("jid");
    req.name = item->findAttribute("name");
    req.subscription = item->findAttribute("subscription");
    for (auto* g : item->children())
      if (g->name() == "group" && g->xmlns() == proto::ns::roster) req.groups.push_back(g->cdata());
  }
  return req;
}

}  // namespace

bool session::is_roster_request(gloox::Tag const& iq) const {
  auto const& type = iq.findAttribute("type");
  if (type != "get" && type != "set") return false;
  // RFC 6121 2.1.5: only the user's own server (no 'to', or the bare JID) answers.
  auto const& to = iq.findAttribute("to");
  if (!to.empty() && to != account_) {
    auto jid = xml::parse_jid(to);
    if (!jid || jid->full() != account_) return false;
  }
  return roster_query(iq) != nullptr;
}

asio::awaitable<void> session::on_roster(gloox::Tag& iq) {
  auto& query = *roster_query(iq);
  if (iq.findAttribute("type") == "get")
    co_await roster_get(iq, query);
  else
    co_await roster_set(iq, query);
}

asio::awaitable<void> session::roster_get(gloox::Tag& iq, gloox::Tag& query) {
  auto const id = iq.findAttribute("id");
  // XEP-0237 / RFC 6121 2.6.2: a 'ver' (even empty) asks for versioning.
  bool const versioned = query.hasAttribute("ver");
  auto const client_ver = query.findAttribute("ver");
  auto roster = co_await ctx_.rosters.load(account_);
  if (!roster) co_return roster_failed(iq, roster.error());
  ctx_.routes.set_roster_requested(account_, resource_, outbox_.get());
  auto const ver = std::to_string(roster->version);
  // 2.6.3: the client's copy is current: an empty result, changes come as pushes.
  if (versioned && client_ver == ver) co_return push(proto::format_iq_result(id, full_jid_, {}));
  std::optional<std::string_view> shown;
  if (versioned) shown = ver;
  push(proto::format_iq_result(id, full_jid_, {}, proto::format_roster_query(shown, roster->items)));
}

asio::awaitable<void> session::roster_set(gloox::Tag& iq, gloox::Tag& query) {
  auto const req = read_roster_set(query);
  auto const checked = proto::check_roster_set(req);
  if (checked == proto::roster_set_error::bad_request) co_return reply_error(iq, proto::stanza_condition::bad_request);
  if (checked == proto::roster_set_error::not_acceptable)
    co_return reply_error(iq, proto::stanza_condition::not_acceptable);
  auto jid = xml::parse_jid(req.jid);
  if (!jid) co_return reply_error(iq, proto::stanza_condition::jid_malformed);
  // No co_await inside ?: (GCC 12 destroys its result too early).
  result<std::optional<store::roster_change>> change = std::nullopt;
  if (proto::is_remove(req)) {
    // 2.5.2: the contact is told both directions end, as if the user had
    // sent unsubscribe and unsubscribed; the user's own pushes are only the removal.
    bool ok = co_await apply_subscription(proto::subscription_stanza::unsubscribe, jid->full(), false);
    if (ok) ok = co_await apply_subscription(proto::subscription_stanza::unsubscribed, jid->full(), false);
    if (!ok) co_return reply_error(iq, proto::stanza_condition::internal_server_error);
    change = co_await ctx_.rosters.remove_item(account_, jid->full());
  } else {
    auto const max = ctx_.settings.get_int("xmpp.max_roster_items");
    auto set = co_await ctx_.rosters.set_item(account_, jid->full(), req.name, req.groups, max);
    if (!set) co_return roster_failed(iq, set.error());
    // SECURITY: bounds what one account makes the server store and push;
    // policy-violation: a local policy, not a shortage a retry would cure.
    if (set->full)
      co_return reply_error(iq, proto::stanza_condition::policy_violation,
                            "at most " + std::to_string(max) + " roster items");
    change = std::move(set->change);
  }
  if (!change) co_return roster_failed(iq, change.error());
  // 2.5.3: removing what is not there.
  if (!*change) co_return reply_error(iq, proto::stanza_condition::item_not_found);
  // 2.3.2: the result to the requester, then a push to every interested resource.
  push(proto::format_iq_result(iq.findAttribute("id"), full_jid_, {}));
  push_roster(**change);
}

void session::push_roster(store::roster_change const& change) {
  push_roster_to(account_, change);
}

void session::push_roster_to(std::string const& account, store::roster_change const& change) {
  auto const ver = std::to_string(change.version);
  for (auto const& [resource, box] : ctx_.routes.roster_interested(account)) {
    auto id = util::random_token(6);
    auto bytes = proto::format_roster_push("push-" + (id ? *id : ver), account + "/" + resource, ver, change.item);
    if (box == outbox_)
      push(std::move(bytes));
    else
      box->deliver(std::move(bytes));
  }
}

void session::roster_failed(gloox::Tag const& iq, error const& e) {
  journal::record(journal::level::error, std::string(listener_name(kind_)), "roster storage failed",
                  {{"user", account_}, {"detail", e.message()}});
  reply_error(iq, proto::stanza_condition::internal_server_error);
}

}  // namespace posta::jabber::server
