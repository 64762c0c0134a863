// XEP-0198 stream management on a c2s session: <enable/> after binding
// (section 3), acks both ways (section 4: the server asks with <r/> after
// each batch it writes while stanzas wait for their ack), resumption of a
// stream whose connection dropped (section 5), and what becomes of
// unacknowledged stanzas when the session ends for good (sections 4, 5,
// redelivery.hpp). The writer calls prepare_output() for every batch.
#include "core/journal/journal.hpp"
#include "core/settings/settings.hpp"
#include "core/util/crypto_random.hpp"
#include "jabber/proto/namespaces.hpp"
#include "jabber/proto/stream_management.hpp"
#include "jabber/server/redelivery.hpp"
#include "jabber/server/resumption.hpp"
#include "jabber/server/router.hpp"
#include "jabber/server/session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace posta::jabber::server {
namespace {

// SECURITY: stanzas a client may leave unacknowledged; their bytes also
// count toward the outbox bound, this bounds the bookkeeping of many small ones.
constexpr std::size_t max_unacked_stanzas = 5000;
// SECURITY: stanzas that reach an outbox that stopped queuing (it overflowed,
// or the session is ending) and are redelivered from the session instead.
constexpr std::size_t max_spilled_stanzas = 1000;

}  // namespace

asio::awaitable<bool> session::on_sm(gloox::Tag& tag) {
  auto const& name = tag.name();
  if (name == "enable" && step_ != step::bound) {
    // XEP-0198 3: after binding (before it the writer is not running yet).
    bool sent = co_await send(proto::format_sm_failed(proto::stanza_condition::unexpected_request));
    co_return sent;
  }
  if (name == "enable") {
    sm_enable(tag);
    co_return true;
  }
  if (name == "resume") {
    bool ok = co_await sm_resume(tag);
    co_return ok;
  }
  if (sm_.enabled && name == "r") {
    push(proto::format_sm_ack(sm_.handled));
    co_return true;
  }
  if (sm_.enabled && name == "a") {
    auto const h = proto::parse_sm_count(tag.findAttribute("h"));
    if (h && sm_ack(*h)) co_return true;
    // XEP-0198 5: an 'h' past what was sent is answered with
    // handled-count-too-high; one that is no count at all, without it.
    std::string condition = h ? proto::format_handled_count_too_high(*h, sent_count()) : std::string();
    co_await end_with(proto::stream_condition::undefined_condition, "ack 'h' past what was sent", std::move(condition));
    co_return false;
  }
  co_await end_with(proto::stream_condition::unsupported_stanza_type, "<" + name + "/> of stream management");
  co_return false;
}

void session::sm_enable(gloox::Tag& tag) {
  // XEP-0198 3: once per stream.
  if (sm_.enabled) return push(proto::format_sm_failed(proto::stanza_condition::unexpected_request));
  sm_.enabled = true;  // the client's stanzas count from here
  sm_.request_interval = std::chrono::seconds(ctx_.settings.get_int("xmpp.sm_ack_request_seconds"));
  auto seconds = ctx_.settings.get_int("xmpp.resume_timeout_seconds");
  // The client may ask for less time than the server allows (section 5).
  auto const asked = proto::parse_sm_count(tag.findAttribute("max"));
  if (asked && *asked > 0 && *asked < seconds) seconds = *asked;
  bool resume = proto::is_true(tag.findAttribute("resume")) && seconds > 0 && ctx_.resumptions;
  if (resume) {
    auto id = util::random_token(18);
    resume = id.has_value();
    if (id) sm_.id = *id;
  }
  if (resume) {
    sm_.resumable = true;
    sm_.timeout = std::chrono::seconds(seconds);
    sm_.take = std::make_shared<handover_fn>([this](handover_request r) { return hand_over(std::move(r)); });
    ctx_.resumptions->add(sm_.id, {account_, stream_.get_executor(), sm_.take});
  }
  push(proto::format_sm_enabled(sm_.id, resume, static_cast<std::uint32_t>(seconds)));
}

proto::sm_count session::sent_count() const {
  return sm_.acked + static_cast<proto::sm_count>(sm_.unacked.size());  // mod 2^32
}

bool session::sm_ack(proto::sm_count h) {
  auto const n = proto::newly_acked(sm_.acked, h, sm_.unacked.size());
  if (!n) return false;
  for (std::size_t i = 0; i < *n; ++i) {
    sm_.unacked_bytes -= sm_.unacked.front().size();
    sm_.unacked.pop_front();
  }
  sm_.acked = h;
  sm_.request_outstanding = false;
  update_held_bytes();
  return true;
}

// XEP-0198 4: the server asks with <r/> after each batch it writes while
// stanzas wait; a client that answers only when asked, and whose <a/>
// crossed a later batch, would otherwise leave that batch waiting until
// the next write. So a stream quiet for xmpp.sm_ack_request_seconds with
// stanzas unacknowledged is asked (again), at most once per interval.
void session::request_ack_if_quiet(std::chrono::steady_clock::time_point now) {
  if (!sm_.counting || sm_.unacked.empty() || sm_.request_interval.count() <= 0) return;
  if (now - last_input_ < sm_.request_interval) return;
  if (sm_.request_outstanding && now - sm_.last_request < sm_.request_interval) return;
  sm_.request_outstanding = true;
  sm_.last_request = now;
  push(proto::format_sm_request());
}

std::chrono::steady_clock::duration session::writer_idle_wait() const {
  if (!sm_.counting || sm_.unacked.empty() || sm_.request_interval.count() <= 0) return ping_interval_;
  return std::min<std::chrono::steady_clock::duration>(ping_interval_, sm_.request_interval);
}

asio::awaitable<bool> session::sm_resume(gloox::Tag& tag) {
  // XEP-0198 5: instead of binding, on an authenticated stream.
  if (step_ == step::bound || sm_.enabled) {
    bool sent = co_await send(proto::format_sm_failed(proto::stanza_condition::unexpected_request));
    co_return sent;
  }
  auto const h = proto::parse_sm_count(tag.findAttribute("h"));
  auto const previd = tag.findAttribute("previd");
  std::optional<resumption_table::entry> entry;
  if (h && ctx_.resumptions) entry = ctx_.resumptions->find(previd);
  // SECURITY: another account's SM-ID is as unknown as a wrong one.
  if (!entry || entry->account != account_) {
    auto const c = h ? proto::stanza_condition::item_not_found : proto::stanza_condition::bad_request;
    bool sent = co_await send(proto::format_sm_failed(c));
    co_return sent;
  }
  outbox_ = make_outbox();
  // COMPAT(g++ 12): temporaries in a co_await's arguments are destroyed
  // twice; the request and the entry are named first (core/util/async.hpp).
  handover_request request{account_, *h, outbox_};
  auto target = std::move(*entry);
  auto result = co_await resumption_table::hand_over(std::move(target), std::move(request));
  // Nothing may be awaited from here until the stanzas are queued: what the
  // old session forwards arrives on this strand after them.
  if (result.result == handover_result::outcome::resumed) {
    sm_.acked = *h;
    sm_resumed(previd, std::move(result));
    co_return true;
  }
  outbox_.reset();
  if (result.result == handover_result::outcome::too_high) {
    std::string condition = proto::format_handled_count_too_high(*h, result.sent);
    co_await end_with(proto::stream_condition::undefined_condition, "resume 'h' past what was sent",
                      std::move(condition));
    co_return false;
  }
  bool sent = co_await send(proto::format_sm_failed(proto::stanza_condition::item_not_found));
  co_return sent;
}

void session::sm_resumed(std::string const& previd, handover_result r) {
  resource_ = std::move(r.resource);
  full_jid_ = std::move(r.full_jid);
  available_ = r.available;
  directed_ = std::move(r.directed);
  presence_token_ = std::move(r.presence_token);
  sm_.enabled = sm_.resumable = sm_.counting = true;
  sm_.request_interval = std::chrono::seconds(ctx_.settings.get_int("xmpp.sm_ack_request_seconds"));
  sm_.id = previd;
  sm_.timeout = r.timeout;
  sm_.handled = r.handled;
  sm_.take = std::make_shared<handover_fn>([this](handover_request req) { return hand_over(std::move(req)); });
  ctx_.resumptions->add(sm_.id, {account_, stream_.get_executor(), sm_.take});
  // The administrator's listing follows the resource to this stream (the
  // resource is the old session's own: it is not counted against the bound).
  (void)become_bound(proto::format_sm_resumed(previd, sm_.handled), false);
  for (auto& s : r.stanzas) push(std::move(s));
  journal::record(journal::level::info, std::string(listener_name(kind_)), "stream resumed",
                  {{"client_ip", client_ip_}, {"user", full_jid_}, {"resent", std::to_string(r.stanzas.size())}});
}

// On this session's strand, for the new stream of the same account.
handover_result session::hand_over(handover_request r) {
  handover_result out;
  if (!sm_.resumable || sm_.handed_over || session_ended_ || fault_ || r.account != account_ || !outbox_) return out;
  auto const n = proto::newly_acked(sm_.acked, r.h, sm_.unacked.size());
  if (!n) {
    out.result = handover_result::outcome::too_high;
    out.sent = sent_count();
    return out;
  }
  // The new stream takes the route with its presence and flags; a session
  // that bound this resource since has it (and has ended this one).
  if (!ctx_.routes.replace_box(account_, resource_, outbox_.get(), r.new_box)) return out;
  for (std::size_t i = 0; i < *n; ++i) sm_.unacked.pop_front();
  out.stanzas = std::move(sm_.unacked);
  for (auto& p : outbox_->take_pending()) out.stanzas.push_back(std::move(p));
  for (auto& p : sm_.spill) out.stanzas.push_back(std::move(p));
  for (auto& [from, p] : csi_.held) out.stanzas.push_back(std::move(p));  // XEP-0352: active again
  sm_.spill.clear();
  csi_.held.clear();
  sm_.unacked_bytes = csi_.held_bytes = 0;
  // What is still on its way to this session follows the new stream.
  outbox_->redirect([box = r.new_box](std::string bytes) { box->deliver(std::move(bytes)); });
  outbox_->close();
  out.result = handover_result::outcome::resumed;
  out.handled = sm_.handled;
  out.resource = resource_;
  out.full_jid = full_jid_;
  out.available = available_;
  out.directed = std::move(directed_);
  out.presence_token = std::move(presence_token_);
  out.timeout = sm_.timeout;
  available_ = false;
  sm_.handed_over = true;
  sm_.resumable = false;
  if (sm_.parked) {
    sm_.park_timer->cancel();
  } else {
    // XEP-0198 5: the old connection, not yet seen to drop, is closed.
    session_ended_ = true;
    stream_.close();
  }
  return out;
}

std::string session::prepare_output(stanza_queue& pieces) {
  std::string out;
  for (auto& p : pieces) {
    auto const kind = proto::classify_outbound(p);
    if (kind == proto::outbound_kind::presence && csi_.inactive && hold_presence(p)) continue;
    out += p;
    if (!sm_.enabled) continue;
    if (kind == proto::outbound_kind::other) {
      // XEP-0198 4: the server's count starts with its <enabled/>.
      if (p.starts_with("<enabled")) sm_.counting = true;
      continue;
    }
    if (!sm_.counting) continue;
    sm_.unacked_bytes += p.size();
    sm_.unacked.push_back(std::move(p));
  }
  if (sm_.counting && !sm_.unacked.empty() && !sm_.request_outstanding) {
    out += proto::format_sm_request();
    sm_.request_outstanding = true;
    sm_.last_request = std::chrono::steady_clock::now();
  }
  update_held_bytes();
  if (sm_.unacked.size() > max_unacked_stanzas || (outbox_ && outbox_->is_over_bound()))
    on_fault(proto::stream_condition::policy_violation, "too slow to acknowledge its stanzas");
  return out;
}

void session::update_held_bytes() {
  if (outbox_) outbox_->set_held_bytes(sm_.unacked_bytes + csi_.held_bytes);
}

bool session::can_park() const {
  return sm_.resumable && !sm_.handed_over && !session_ended_ && !fault_ && !stopping_ && outbox_ && ctx_.resumptions;
}

asio::awaitable<void> session::park() {
  auto const max = static_cast<std::size_t>(ctx_.settings.get_int("xmpp.max_resumable_sessions"));
  if (!ctx_.resumptions->try_park(max)) co_return;
  sm_.parked = true;
  stream_.close();
  journal::record(journal::level::info, std::string(listener_name(kind_)), "waiting for resumption",
                  {{"client_ip", client_ip_}, {"user", full_jid_}});
  sm_.park_timer.emplace(stream_.get_executor(), sm_.timeout);
  co_await sm_.park_timer->async_wait(asio::as_tuple(asio::use_awaitable));
  sm_.parked = false;
  ctx_.resumptions->unpark();
}

// A kick, an overflow or shutdown while waiting for a resumption: it ends now.
bool session::wake_parked(proto::stream_condition c) {
  if (!sm_.parked) return false;
  if (!fault_) fault_ = c;
  sm_.resumable = false;
  // The stanza that overflowed (and any after it) is redelivered, not lost.
  outbox_->redirect(spill_collector());
  sm_.park_timer->cancel();
  return true;
}

std::function<void(std::string)> session::spill_collector() {
  return [this, alive = std::weak_ptr<bool>(alive_)](std::string bytes) {
    if (!alive.expired() && sm_.spill.size() < max_spilled_stanzas) sm_.spill.push_back(std::move(bytes));
  };
}

void session::keep_pending() {
  if (!sm_.enabled) return outbox_->drop_pending();
  for (auto& p : outbox_->take_pending())
    if (sm_.spill.size() < max_spilled_stanzas) sm_.spill.push_back(std::move(p));
}

asio::awaitable<void> session::finish_stream_management() {
  sm_.resumable = false;
  if (!sm_.id.empty()) ctx_.resumptions->remove(sm_.id, sm_.take.get());
  if (!outbox_) co_return;
  // Out of the router first, so that nothing more comes; what was already
  // on its way lands in the spill.
  ctx_.routes.unbind(account_, resource_, outbox_.get());
  std::vector<std::string> stanzas(std::make_move_iterator(sm_.unacked.begin()),
                                   std::make_move_iterator(sm_.unacked.end()));
  sm_.unacked.clear();
  for (auto& p : outbox_->take_pending()) stanzas.push_back(std::move(p));
  for (auto& p : sm_.spill) stanzas.push_back(std::move(p));
  sm_.spill.clear();
  csi_.held.clear();
  sm_.unacked_bytes = csi_.held_bytes = 0;
  outbox_->redirect(spill_collector());
  outbox_->close();
  std::size_t count = 0;
  while (!stanzas.empty()) {
    count += stanzas.size();
    co_await redeliver(ctx_, account_, host_, std::move(stanzas));
    stanzas = std::exchange(sm_.spill, {});
  }
  journal::record(journal::level::info, std::string(listener_name(kind_)), "unacknowledged stanzas redelivered",
                  {{"user", full_jid_}, {"count", std::to_string(count)}});
}

}  // namespace posta::jabber::server
