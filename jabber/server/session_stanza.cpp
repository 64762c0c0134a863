// After authentication: resource binding (RFC 6120 section 7, the newer
// session wins a conflict: 7.7.2.2), the legacy session (RFC 3921 section
// 3), the 'from' of client stanzas (8.1.2.1), the IQs the server answers
// itself, and routing of messages by full and bare JID (RFC 6121 8.5,
// simplified), and XEP-0160 offline storage for an account without an
// available resource.
#include "core/journal/journal.hpp"
#include "core/settings/settings.hpp"
#include "core/util/crypto_random.hpp"
#include "core/util/date.hpp"
#include "jabber/proto/iq_replies.hpp"
#include "jabber/proto/namespaces.hpp"
#include "jabber/server/caps_ver.hpp"
#include "jabber/server/redelivery.hpp"
#include "jabber/server/router.hpp"
#include "jabber/server/session.hpp"
#include "jabber/store/offline.hpp"
#include "jabber/store/roster_store.hpp"
#include "jabber/xml/error_tags.hpp"
#include "jabber/xml/jid.hpp"

namespace posta::jabber::server {
namespace {

// The first child element in namespace `ns`, or nullptr.
gloox::Tag* child_in(gloox::Tag const& parent, std::string_view ns, std::string_view name = {}) {
  for (auto* c : parent.children())
    if (c->xmlns() == ns && (name.empty() || c->name() == name)) return c;
  return nullptr;
}

gloox::Tag* first_child(gloox::Tag const& parent) {
  auto const& list = parent.children();
  return list.empty() ? nullptr : list.front();
}

bool is_stanza(gloox::Tag const& tag) {
  auto const& n = tag.name();
  return tag.xmlns() == proto::ns::client && (n == "message" || n == "presence" || n == "iq");
}

constexpr std::size_t outbox_minimum = 1024 * 1024;

}  // namespace

asio::awaitable<bool> session::on_negotiated_element(gloox::Tag& tag) {
  if (tag.xmlns() == proto::ns::sm) {
    bool ok = co_await on_sm(tag);
    co_return ok;
  }
  if (tag.xmlns() == proto::ns::csi && step_ == step::bound) co_return on_csi(tag);
  if (!is_stanza(tag)) {
    co_await end_with(proto::stream_condition::unsupported_stanza_type,
                      "<" + tag.name() + " xmlns='" + tag.xmlns() + "'>");
    co_return false;
  }
  if (step_ != step::bound) {
    if (tag.name() == "iq" && tag.findAttribute("type") == "set" && child_in(tag, proto::ns::bind, "bind")) {
      bool ok = co_await on_bind(tag);
      co_return ok;
    }
    // RFC 6120 7.1: nothing but binding before a resource is bound.
    co_await end_with(proto::stream_condition::not_authorized, "<" + tag.name() + "/> before binding");
    co_return false;
  }
  co_await on_stanza(tag);
  // XEP-0198 4: handled once routed, stored or answered; mod 2^32.
  if (sm_.enabled) ++sm_.handled;
  co_return !session_ended_;
}

asio::awaitable<bool> session::on_bind(gloox::Tag& iq) {
  auto* bind = child_in(iq, proto::ns::bind, "bind");
  auto* asked = child_in(*bind, proto::ns::bind, "resource");
  std::string resource = asked ? asked->cdata() : std::string();
  if (resource.empty()) {
    auto random = util::random_token(9);
    resource = "posta-" + (random ? *random : stream_id_);
  }
  // SECURITY: a gloox JID only from what parse_jid accepted (RFC 7622 3.4).
  auto jid = xml::parse_jid(account_ + "/" + resource);
  if (!jid || jid->resource().empty()) {
    auto reply = xml::make_error_reply(iq, proto::make_stanza_error(proto::stanza_condition::bad_request));
    bool sent = co_await send(reply->xml());
    co_return sent;
  }
  resource_ = jid->resource();
  full_jid_ = jid->full();
  outbox_ = make_outbox();
  if (!become_bound(proto::format_iq_result(iq.findAttribute("id"), {}, {}, proto::format_bind_payload(full_jid_)),
                    true)) {
    outbox_.reset();
    resource_.clear();
    full_jid_.clear();
    auto reply = xml::make_error_reply(iq, proto::make_stanza_error(proto::stanza_condition::resource_constraint));
    bool sent = co_await send(reply->xml());
    co_return sent;
  }
  // Routed once the result is queued: what the router brings follows it.
  auto replaced = ctx_.routes.bind(account_, resource_, outbox_);
  // RFC 6120 7.7.2.2: the newer session wins; the older one is told why.
  if (replaced) replaced->kick(proto::stream_condition::conflict, "resource bound by a newer session");
  co_return true;
}

std::shared_ptr<outbox> session::make_outbox() {
  auto const stanza_bytes = static_cast<std::size_t>(ctx_.settings.get_int("xmpp.max_stanza_kb")) * 1024;
  // SECURITY: what may wait for a slow reader: four stanzas of the largest
  // size, at least 1 MiB; unacknowledged stanzas (XEP-0198) count too.
  auto box = std::make_shared<outbox>(stream_.get_executor(), std::max(outbox_minimum, 4 * stanza_bytes));
  box->set_on_fault([this](proto::stream_condition c, std::string_view why) { on_fault(c, why); });
  return box;
}

bool session::become_bound(std::string reply, bool counted) {
  if (!register_for_admin(counted)) return false;
  step_ = step::bound;
  ping_interval_ = std::chrono::seconds(ctx_.settings.get_int("xmpp.ping_interval_seconds"));
  last_input_ = std::chrono::steady_clock::now();
  start_writer();
  push(std::move(reply));
  ask_client_version();
  return true;
}

asio::awaitable<void> session::on_stanza(gloox::Tag& tag) {
  // RFC 6120 8.1.2.1: the server stamps the full JID; a 'from' naming
  // anyone else is refused with invalid-from (4.9.3.10).
  auto const& from = tag.findAttribute("from");
  if (!from.empty() && from != full_jid_ && from != account_) {
    auto parsed = xml::parse_jid(from);
    if (!parsed || (parsed->full() != full_jid_ && parsed->full() != account_)) {
      on_fault(proto::stream_condition::invalid_from, "from '" + from + "'");
      co_return;
    }
  }
  tag.addAttribute("from", full_jid_);
  if (tag.name() == "iq")
    co_await on_iq(tag);
  else if (tag.name() == "message")
    co_await on_message(tag);
  else
    co_await on_presence(tag);
}

void session::reply_error(gloox::Tag const& stanza, proto::stanza_condition c, std::string text) {
  // RFC 6120 8.3.1: an error is never answered with an error.
  if (stanza.findAttribute("type") == "error") return;
  push(xml::make_error_reply(stanza, proto::make_stanza_error(c, std::move(text)))->xml());
}

asio::awaitable<void> session::on_iq(gloox::Tag& iq) {
  if (is_roster_request(iq)) co_return co_await on_roster(iq);
  if (is_carbons_request(iq)) co_return on_carbons(iq);
  bool const handled = co_await on_account_iq(iq);
  if (!handled) co_await on_other_iq(iq);
}

asio::awaitable<void> session::on_other_iq(gloox::Tag& iq) {
  auto const& type = iq.findAttribute("type");
  bool const request = type == "get" || type == "set";
  if (!request && type != "result" && type != "error") co_return reply_error(iq, proto::stanza_condition::bad_request);
  if (!request && on_client_version(iq)) co_return;
  auto const& to = iq.findAttribute("to");
  if (to.empty() || to == host_ || to == account_) {
    if (request) on_server_iq(iq);
    co_return;
  }
  auto jid = xml::parse_jid(to);
  if (!jid) co_return reply_error(iq, proto::stanza_condition::jid_malformed);
  if (jid->full() == host_ || jid->full() == account_) {
    if (request) on_server_iq(iq);
    co_return;
  }
  // XEP-0191 3.4, 3.5: not between an account and a JID it blocked.
  auto const verdict = co_await check_blocking(*jid);
  if (verdict != block_verdict::open) co_return refuse_blocked(iq, verdict);
  auto target = jid->resource().empty() ? nullptr : ctx_.routes.find(jid->bare(), jid->resource());
  if (target) co_return target->deliver(iq.xml());
  // Offline storage and s2s come later: nobody else answers yet.
  if (request) reply_error(iq, proto::stanza_condition::service_unavailable);
}

void session::on_server_iq(gloox::Tag& iq) {
  auto const& id = iq.findAttribute("id");
  auto const& to = iq.findAttribute("to");
  bool const get = iq.findAttribute("type") == "get";
  auto* payload = first_child(iq);
  auto const ns = payload ? payload->xmlns() : std::string();
  bool const to_server = to.empty() || to == host_;
  std::string answer;
  bool answered = true;
  if (get && ns == proto::ns::ping) {
  } else if (!get && ns == proto::ns::session) {  // RFC 3921 3: nothing to establish any more
  } else if (get && to_server && ns == proto::ns::disco_info) {
    // XEP-0115 6.2: the caps node#ver is the same list; other nodes have none.
    auto const& node = payload->findAttribute("node");
    if (!node.empty() && !is_server_caps_node(node)) return reply_error(iq, proto::stanza_condition::item_not_found);
    answer = proto::format_disco_info_payload(proto::server_features(), node);
  } else if (get && to_server && ns == proto::ns::disco_items) {
    answer = proto::format_disco_items_payload();  // XEP-0030 4.2: no components yet
  } else if (get && to_server && ns == proto::ns::version) {
    answer = proto::format_version_payload("Posta", POSTA_VERSION);
  } else {
    answered = false;
  }
  if (!answered) return reply_error(iq, proto::stanza_condition::service_unavailable);
  push(proto::format_iq_result(id, full_jid_, to, answer));
}

asio::awaitable<void> session::on_message(gloox::Tag& msg) {
  auto const type = msg.findAttribute("type");
  auto to = msg.findAttribute("to");
  // RFC 6121 8.1.1.1: no 'to' is the sender's own bare JID.
  if (to.empty()) to = account_;
  auto jid = xml::parse_jid(to);
  if (!jid) co_return reply_error(msg, proto::stanza_condition::jid_malformed);
  // XEP-0191 3.4, 3.5: not between an account and a JID it blocked.
  auto const verdict = co_await check_blocking(*jid);
  if (verdict != block_verdict::open) co_return refuse_blocked(msg, verdict);
  if (!jid->resource().empty()) {
    if (auto target = ctx_.routes.find(jid->bare(), jid->resource())) {
      target->deliver(msg.xml());
      co_return send_carbons(msg, jid->bare(), {target});
    }
    // RFC 6121 8.5.3.2.1: no such resource: as if sent to the bare JID.
  }
  if (type == "error") co_return;
  if (type == "groupchat") co_return reply_error(msg, proto::stanza_condition::service_unavailable);
  auto targets = ctx_.routes.for_bare_jid(jid->bare());
  send_carbons(msg, jid->bare(), targets);
  if (!targets.empty()) {
    auto const bytes = msg.xml();
    for (auto& t : targets) t->deliver(bytes);
    co_return;
  }
  // RFC 6121 8.5.2.2: a headline is dropped; normal and chat wait (XEP-0160).
  if (type == "headline") co_return;
  co_await store_offline(msg, jid->bare());
}

asio::awaitable<void> session::store_offline(gloox::Tag& msg, std::string const& bare) {
  stamp_delay(msg, host_);  // XEP-0203: the recipient learns when it was sent
  auto const max = ctx_.settings.get_int("xmpp.max_offline_messages");
  auto stored = co_await store::store_offline(ctx_.rosters.pool(), bare, msg.xml(), max);
  // DURABILITY: `stored` is committed; nothing is told to the sender before
  // (and only an error ever is: a crash before the commit loses a message the
  // sender was never told was kept).
  if (stored && *stored == store::offline_outcome::stored) co_return;
  if (!stored)
    journal::record(journal::level::error, std::string(listener_name(kind_)), "offline storage failed",
                    {{"user", account_}, {"detail", stored.error().message()}});
  reply_error(msg, proto::stanza_condition::service_unavailable);
}

}  // namespace posta::jabber::server
