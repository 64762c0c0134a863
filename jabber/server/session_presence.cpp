// Presence (RFC 6121 sections 3 and 4) between local accounts: subscription
// stanzas through the state machine of proto/subscription.hpp with roster
// pushes on both sides; initial presence broadcast to contacts with 'from'
// or 'both' and answered with the presence of contacts with 'to' or 'both'
// (the probe of 4.3, answered locally); pending requests delivered again;
// directed presence (4.6) and the unavailable broadcast when a session ends.
#include "core/journal/journal.hpp"
#include "core/util/crypto_random.hpp"
#include "jabber/proto/subscription.hpp"
#include "jabber/server/router.hpp"
#include "jabber/server/session.hpp"
#include "jabber/store/offline.hpp"
#include "jabber/store/online_store.hpp"
#include "jabber/store/subscriptions.hpp"
#include "jabber/xml/jid.hpp"

#include <charconv>

namespace posta::jabber::server {
namespace {

// RFC 6121 4.7.2.3: -128..127, 0 when absent or not a number.
int priority_of(gloox::Tag const& presence) {
  for (auto* p : presence.children()) {
    if (p->name() != "priority") continue;
    auto const text = p->cdata();
    int value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < -128 || value > 127) return 0;
    return value;
  }
  return 0;
}

// XEP-0012 4: the status text kept with the last unavailable time.
// SECURITY: at most 1023 bytes of it, cut at a UTF-8 character boundary.
std::string status_of(gloox::Tag const& presence) {
  constexpr std::size_t max_status_bytes = 1023;
  for (auto* s : presence.children()) {
    if (s->name() != "status") continue;
    auto text = s->cdata();
    if (text.size() <= max_status_bytes) return text;
    std::size_t cut = max_status_bytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return text.substr(0, cut);
  }
  return {};
}

void deliver_all(std::vector<std::shared_ptr<outbox>> const& boxes, std::string const& bytes) {
  for (auto const& b : boxes) b->deliver(bytes);
}

}  // namespace

asio::awaitable<void> session::on_presence(gloox::Tag& presence) {
  auto const type = presence.findAttribute("type");
  auto const to = presence.findAttribute("to");
  if (auto what = proto::parse_subscription_stanza(type)) {
    if (to.empty()) co_return;  // a subscription to nobody
    auto jid = xml::parse_jid(to);
    if (!jid) co_return reply_error(presence, proto::stanza_condition::jid_malformed);
    // XEP-0191 3.4, 3.5: no subscription traffic with a blocked JID.
    auto const verdict = co_await check_blocking(*jid);
    if (verdict != block_verdict::open) co_return refuse_blocked(presence, verdict);
    co_return co_await on_subscription(presence, *what, jid->bare());
  }
  if (type == "probe" || type == "error") co_return;  // probes are the server's (4.3)
  if (!type.empty() && type != "unavailable") co_return reply_error(presence, proto::stanza_condition::bad_request);
  if (!to.empty()) {
    if (auto jid = xml::parse_jid(to)) {
      auto const verdict = co_await check_blocking(*jid);
      if (verdict != block_verdict::open) co_return refuse_blocked(presence, verdict);
    }
    co_return directed_presence(presence, to, type.empty());
  }
  bool const was_available = available_;
  co_await broadcast_presence(presence.xml(), type.empty(), priority_of(presence));
  if (was_available && !available_) co_await note_unavailable(status_of(presence));
}

void session::directed_presence(gloox::Tag& presence, std::string const& to, bool available) {
  // RFC 6121 4.6: to one JID only; it is told when the session goes.
  auto jid = xml::parse_jid(to);
  if (!jid) return reply_error(presence, proto::stanza_condition::jid_malformed);
  auto const bytes = presence.xml();
  if (!jid->resource().empty()) {
    if (auto box = ctx_.routes.find(jid->bare(), jid->resource())) box->deliver(bytes);
  } else {
    deliver_all(ctx_.routes.available(jid->bare()), bytes);
  }
  // SECURITY: bounded, so a client cannot grow the session without end.
  if (available && directed_.size() < max_directed_presences)
    directed_.insert(jid->full());
  else if (!available)
    directed_.erase(jid->full());
}

asio::awaitable<void> session::broadcast_presence(std::string bytes, bool available, int priority) {
  if (!available && !available_) co_return;  // nothing to take back
  bool const initial = available && !available_;
  auto own = initial ? ctx_.routes.presences(account_) : std::vector<std::string>();
  ctx_.routes.set_presence(account_, resource_, outbox_.get(), available, priority, available ? bytes : "");
  available_ = available;
  if (initial) co_await note_online();
  if (!available) co_await note_offline();
  auto contacts = co_await store::subscribed_contacts(ctx_.rosters.pool(), account_);
  if (!contacts) {
    journal::record(journal::level::error, std::string(listener_name(kind_)), "presence: roster unavailable",
                    {{"user", account_}, {"detail", contacts.error().message()}});
    co_return;
  }
  // XEP-0191 3.4, 3.5: never to or from a blocked JID (and to no contact when the list is unreadable).
  auto mine = co_await blocklist_of(account_);
  // 4.2.2, 4.4.2, 4.5.2: to contacts with 'from'/'both' and the user's other resources.
  for (auto const& c : *contacts)
    if (mine && proto::sends_presence_to({c.sub})) co_await presence_to_contact(c.jid, bytes, mine);
  for (auto const& box : ctx_.routes.available(account_))
    if (box != outbox_) box->deliver(bytes);
  if (!available) {
    for (auto const& target : directed_) directed_presence_end(target, bytes);
    directed_.clear();
    co_return;
  }
  if (!initial) co_return;
  // 4.3.2: the probe of contacts with 'to'/'both', answered from this node's sessions.
  for (auto const& c : *contacts) {
    if (!mine || !proto::receives_presence_from({c.sub})) continue;
    auto presences = ctx_.routes.presences(c.jid);
    if (presences.empty()) continue;
    bool const shared = co_await sees_presence_of(c.jid, mine);
    if (shared)
      for (auto& p : presences) push(std::move(p));
  }
  for (auto& p : own) push(std::move(p));
  // 3.1.3: requests that came while the user was away, again; XEP-0191
  // 3.3: not those from a JID the user blocked since (they stay stored,
  // and come again once it is unblocked).
  auto pending = co_await store::pending_requests(ctx_.rosters.pool(), account_);
  if (pending && mine)
    for (auto& p : *pending)
      if (!blocks_bare_jid(*mine, p.contact)) push(std::move(p.stanza));
  co_await deliver_offline();
}

asio::awaitable<void> session::deliver_offline() {
  // XEP-0160: at the first available presence, then deleted.
  auto messages = co_await store::offline_messages(ctx_.rosters.pool(), account_);
  if (!messages || messages->empty()) co_return;
  std::vector<std::int64_t> ids;
  for (auto& m : *messages) {
    ids.push_back(m.id);
    push(std::move(m.stanza));
  }
  // DURABILITY: deleted once queued for this session's writer; a session
  // that dies before writing them loses them (XEP-0160 has no acknowledgement),
  // unless it has XEP-0198 enabled: then what its client never acknowledged
  // is stored again when it ends (session_sm.cpp, redelivery.hpp).
  auto deleted = co_await store::delete_offline(ctx_.rosters.pool(), ids);
  if (!deleted)
    journal::record(journal::level::error, std::string(listener_name(kind_)), "offline messages not deleted",
                    {{"user", account_}, {"detail", deleted.error().message()}});
}

void session::directed_presence_end(std::string const& target, std::string const& bytes) {
  auto jid = xml::parse_jid(target);
  if (!jid) return;
  if (!jid->resource().empty()) {
    if (auto box = ctx_.routes.find(jid->bare(), jid->resource())) box->deliver(bytes);
  } else {
    deliver_all(ctx_.routes.available(jid->bare()), bytes);
  }
}

asio::awaitable<void> session::end_presence() {
  // 4.5.2: a session that ends without saying so goes unavailable all the same.
  if (!available_) co_return;
  co_await broadcast_presence(proto::format_presence(full_jid_, {}, "unavailable"), false, 0);
  co_await note_unavailable({});
}

// Recorded so that a restart after a crash ends what a killed session
// could not (store/online_store.hpp). A failure costs only that clean-up.
asio::awaitable<void> session::note_online() {
  auto token = util::random_token(12);
  presence_token_ = token ? *token : stream_id_;
  auto recorded =
      co_await store::record_online(ctx_.rosters.pool(), ctx_.hostname, account_, resource_, presence_token_);
  if (!recorded)
    journal::record(journal::level::warning, std::string(listener_name(kind_)), "online resource not recorded",
                    {{"user", full_jid_}, {"detail", recorded.error().message()}});
}

asio::awaitable<void> session::note_offline() {
  if (presence_token_.empty()) co_return;
  auto const token = std::exchange(presence_token_, {});
  auto removed = co_await store::record_offline(ctx_.rosters.pool(), account_, resource_, token);
  if (!removed)
    journal::record(journal::level::warning, std::string(listener_name(kind_)), "online resource not removed",
                    {{"user", full_jid_}, {"detail", removed.error().message()}});
}

asio::awaitable<void> session::on_subscription(gloox::Tag& presence, proto::subscription_stanza what,
                                               std::string contact) {
  bool ok = co_await apply_subscription(what, contact, true);
  if (!ok) reply_error(presence, proto::stanza_condition::internal_server_error);
}

asio::awaitable<bool> session::apply_subscription(proto::subscription_stanza what, std::string const& contact,
                                                  bool push_own) {
  using enum proto::subscription_stanza;
  // 3.1.2: the contact sees the user's bare JID.
  auto const stanza = proto::format_presence(account_, contact, proto::subscription_stanza_name(what));
  auto outcome = co_await store::send_subscription(ctx_.rosters.pool(), account_, contact, what, stanza);
  if (!outcome) {
    journal::record(journal::level::error, std::string(listener_name(kind_)), "subscription storage failed",
                    {{"user", account_}, {"detail", outcome.error().message()}});
    co_return false;
  }
  for (auto const& p : outcome->pushes)
    if (push_own || p.account != account_) push_roster_to(p.account, p.change);
  if (outcome->deliver) deliver_all(ctx_.routes.available(contact), stanza);
  if (outcome->auto_subscribed && outcome->answer_delivered) {
    deliver_all(ctx_.routes.available(account_), proto::format_presence(contact, account_, "subscribed"));
    for (auto const& p : ctx_.routes.presences(contact)) deliver_all(ctx_.routes.available(account_), p);
  }
  // 3.1.5, 3.2.2, 3.3.3: presence follows the subscription.
  if (what == subscribed && outcome->deliver)
    for (auto const& p : ctx_.routes.presences(account_)) deliver_all(ctx_.routes.available(contact), p);
  if (what == unsubscribed && outcome->deliver)
    deliver_all(ctx_.routes.available(contact), proto::format_presence(account_, contact, "unavailable"));
  if (what == unsubscribe && outcome->deliver)
    deliver_all(ctx_.routes.available(account_), proto::format_presence(contact, account_, "unavailable"));
  co_return true;
}

}  // namespace posta::jabber::server
