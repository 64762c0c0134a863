// The c2s session loop and stream negotiation: the stream header and its
// host (RFC 6120 4.7.2, 4.9.3.6), features (4.3.2), STARTTLS (5.4) and
// stream restarts (4.3.3), stream errors and the close (4.4, 4.9), and the
// reader/writer pair that carries the session once a resource is bound.
#include "jabber/server/session.hpp"

#include "core/identity/store.hpp"
#include "core/journal/journal.hpp"
#include "core/net/errors.hpp"
#include "core/settings/settings.hpp"
#include "core/util/crypto_random.hpp"
#include "jabber/proto/namespaces.hpp"
#include "jabber/proto/xml_escape.hpp"
#include "jabber/server/caps_ver.hpp"
#include "jabber/server/resumption.hpp"
#include "jabber/server/router.hpp"
#include "jabber/xml/jid.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <array>

namespace posta::jabber::server {
namespace {

constexpr auto tls_handshake_timeout = std::chrono::seconds(30);
constexpr auto write_timeout = std::chrono::seconds(60);
// SECURITY: an unauthenticated stream has a minute for each step. A bound
// one has no read deadline (it would cancel the writer too): the writer
// pings a silent client and ends the stream when the ping goes unanswered.
constexpr auto negotiation_timeout = std::chrono::seconds(60);
// SECURITY: and two minutes for all of them, so a byte a minute cannot hold
// an unauthenticated connection open.
constexpr auto negotiation_total = std::chrono::minutes(2);
// SECURITY: how long a faulted session's last words may take to go out.
constexpr auto fault_grace = std::chrono::seconds(5);

xml::reader_limits limits_of(settings::store const& s) {
  return xml::limits_for_stanza_kb(static_cast<std::size_t>(s.get_int("xmpp.max_stanza_kb")));
}

}  // namespace

session::session(context& ctx, listener_kind kind, net::stream stream)
    : ctx_(ctx),
      kind_(kind),
      stream_(std::move(stream)),
      reader_(limits_of(ctx.settings)),
      client_ip_(stream_.remote_endpoint().address().to_string()),
      require_tls_(ctx.settings.get_bool("xmpp.require_tls")),
      negotiation_deadline_(std::chrono::steady_clock::now() + negotiation_total) {
  if (ctx_.sessions) registration_ = ctx_.sessions->add(stream_.get_executor(), [this](bool force) { on_stop(force); });
}

session::~session() {
  if (!sm_.id.empty() && ctx_.resumptions) ctx_.resumptions->remove(sm_.id, sm_.take.get());
  if (!outbox_) return;
  unregister_for_admin();
  ctx_.routes.unbind(account_, resource_, outbox_.get());
  // A kick or delivery still on its way finds a closed outbox, never this session.
  outbox_->close();
  outbox_->set_on_fault(nullptr);
}

proto::c2s_stream_state session::stream_state() const {
  return proto::c2s_stream_state{ctx_.tls_for(kind_) != nullptr, stream_.is_tls(), require_tls_, authenticated_,
                                 server_caps_element()};
}

asio::awaitable<void> session::run() {
  if (kind_ == listener_kind::xmpps) {
    auto tls = ctx_.tls_for(kind_);
    if (!tls) co_return;
    auto handshake = co_await stream_.start_tls(*tls, tls_handshake_timeout);
    if (!handshake) co_return;
  }
  for (;;) {
    bool go_on = co_await read_and_handle();
    if (!go_on) break;
  }
  // XEP-0198 5: a connection lost without </stream:stream> may be resumed.
  bool const resumable = can_park();
  if (writer_running_) {
    if (resumable) {
      outbox_->pause();  // what arrives from now on waits for the resumed stream
      stream_.close();   // the connection is gone: a pending write ends now
    } else {
      outbox_->close();
    }
    while (writer_running_) {
      writer_done_->expires_at(asio::steady_timer::time_point::max());
      co_await writer_done_->async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }
  if (fault_deadline_) fault_deadline_->cancel();
  if (resumable) co_await park();
  if (sm_.handed_over) co_return;  // the new stream has the route, the presence and the stanzas
  if (sm_.enabled) co_await finish_stream_management();
  co_await end_presence();
  if (outbox_) ctx_.routes.unbind(account_, resource_, outbox_.get());
  co_await stream_.shutdown(std::chrono::seconds(5));
}

asio::awaitable<bool> session::read_and_handle() {
  if (fault_) {
    if (!session_ended_ && !writer_running_) co_await end_with(*fault_, fault_why_);
    co_return false;
  }
  auto const timeout = read_timeout();
  reader_waiting_ = true;
  // An idle session waits here holding neither an expat parser (between
  // stanzas it is freed, the next input gets a new one) nor a read buffer:
  // that lives in read_events' frame only, while input is there.
  reader_.release_parser();
  result<std::vector<xml::stream_event>> events{std::vector<xml::stream_event>()};
  auto ready = co_await stream_.wait_readable(timeout);
  if (ready)
    events = co_await read_events(timeout);
  else
    events = ready.error();
  reader_waiting_ = false;
  if (!events) {
    if (fault_) {
      if (!session_ended_ && !writer_running_) co_await end_with(*fault_, fault_why_);
    } else if (net::is_timeout(events.error())) {
      co_await end_with(proto::stream_condition::connection_timeout, "idle");
    }
    co_return false;  // end of stream, an I/O error or a fault: nothing more to read
  }
  auto const stanzas = std::count_if(events->begin(), events->end(),
                                     [](auto const& ev) { return std::holds_alternative<xml::stanza_received>(ev); });
  co_await pace_input(static_cast<std::size_t>(stanzas));
  for (auto& ev : *events) {
    bool go_on = co_await handle(ev);
    if (!go_on || session_ended_) co_return false;
    // SECURITY: after a restart, what followed in this read came before the
    // TLS handshake or the SASL success: it is dropped (CVE-2011-0411 class).
    if (restarted_) {
      restarted_ = false;
      break;
    }
  }
  co_return true;
}

asio::awaitable<result<std::vector<xml::stream_event>>> session::read_events(
    std::chrono::steady_clock::duration timeout) {
  std::array<char, 16 * 1024> buffer;
  auto n = co_await stream_.read_some(buffer, timeout);
  if (!n) co_return n.error();
  last_input_ = std::chrono::steady_clock::now();
  ping_outstanding_ = false;
  co_return reader_.feed(std::string_view(buffer.data(), *n));
}

std::chrono::steady_clock::duration session::read_timeout() const {
  if (step_ == step::bound) return std::chrono::steady_clock::duration::zero();
  auto const left = negotiation_deadline_ - std::chrono::steady_clock::now();
  return std::clamp<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(1), negotiation_timeout);
}

asio::awaitable<bool> session::handle(xml::stream_event& ev) {
  if (auto* open = std::get_if<xml::stream_opened>(&ev)) {
    bool ok = co_await on_open(open->header);
    co_return ok;
  }
  if (auto* stanza = std::get_if<xml::stanza_received>(&ev)) {
    bool ok = co_await on_element(*stanza->tag);
    co_return ok;
  }
  if (std::holds_alternative<xml::stream_closed>(ev)) {
    // RFC 6120 4.4: the client closed; the server closes its side too.
    co_await send(std::string("</stream:stream>"));
    session_ended_ = true;
    co_return false;
  }
  auto const& failed = std::get<xml::stream_failed>(ev);
  co_await end_with(failed.condition, failed.detail);
  co_return false;
}

asio::awaitable<bool> session::on_open(xml::stream_header const& h) {
  auto host = xml::normalise_domainpart(h.to);
  if (h.to.empty() || !host) {
    co_await end_with(proto::stream_condition::host_unknown, "stream to '" + h.to + "'");
    co_return false;
  }
  if (!host_.empty() && *host != host_) {
    co_await end_with(proto::stream_condition::host_unknown, "restart to another host");
    co_return false;
  }
  auto domain = co_await ctx_.identity.get_domain(*host);
  if (!domain) {
    auto const c = domain.error().code == make_error_code(errc::not_found)
                       ? proto::stream_condition::host_unknown
                       : proto::stream_condition::internal_server_error;
    co_await end_with(c, "host " + *host + ": " + domain.error().message());
    co_return false;
  }
  host_ = *host;
  auto id = util::random_token(12);
  stream_id_ = id ? *id : "posta";
  std::string out = proto::format_stream_header(host_, stream_id_, proto::ns::client);
  header_sent_ = true;
  // RFC 6120 4.7.5: a client without version 1.0 cannot negotiate TLS or SASL.
  if (h.version.empty() || h.version.substr(0, 2) != "1.") {
    bool sent = co_await send(std::move(out));
    if (sent) co_await end_with(proto::stream_condition::unsupported_version, "version '" + h.version + "'");
    co_return false;
  }
  out += proto::format_features(stream_state());
  step_ = step::negotiating;
  bool sent = co_await send(std::move(out));
  co_return sent;
}

asio::awaitable<bool> session::on_element(gloox::Tag& tag) {
  auto const ns = tag.xmlns();
  if (ns == proto::ns::tls && tag.name() == "starttls") {
    bool ok = co_await on_starttls();
    co_return ok;
  }
  if (!authenticated_) {
    if (ns == proto::ns::sasl) {
      bool ok = co_await on_sasl(tag);
      co_return ok;
    }
    // RFC 6120 6.4.1 / 5.3.1: nothing but negotiation before authentication.
    co_await end_with(proto::stream_condition::not_authorized, "<" + tag.name() + "/> before authentication");
    co_return false;
  }
  bool ok = co_await on_negotiated_element(tag);
  co_return ok;
}

asio::awaitable<bool> session::on_starttls() {
  auto tls = ctx_.tls_for(kind_);
  if (!tls || stream_.is_tls() || authenticated_) {
    // RFC 6120 5.4.2.2: <failure/>, then the stream closes.
    co_await send(proto::format_tls_failure() + "</stream:stream>");
    session_ended_ = true;
    co_return false;
  }
  bool sent = co_await send(proto::format_tls_proceed());
  if (!sent) co_return false;
  reader_.reset();
  restarted_ = true;
  auto handshake = co_await stream_.start_tls(*tls, tls_handshake_timeout);
  if (!handshake) co_return false;
  step_ = step::header;
  header_sent_ = false;
  co_return true;
}

asio::awaitable<bool> session::send(std::string bytes) {
  if (writer_running_) {
    push(std::move(bytes));
    co_return !outbox_->is_closed();
  }
  auto written = co_await stream_.write(bytes, write_timeout);
  co_return written.has_value();
}

void session::push(std::string bytes) {
  if (outbox_) outbox_->push(std::move(bytes));
}

asio::awaitable<void> session::end_with(proto::stream_condition c, std::string_view why, std::string application) {
  if (session_ended_) co_return;
  journal::record(journal::level::info, std::string(listener_name(kind_)), "stream error",
                  {{"client_ip", client_ip_},
                   {"user", account_},
                   {"condition", proto::condition_name(c)},
                   {"detail", std::string(why)}});
  std::string out;
  // RFC 6120 4.9.1.2: an error before the server's header comes after one.
  if (!header_sent_)
    out = proto::format_stream_header(host_.empty() ? ctx_.hostname : host_, "error", proto::ns::client);
  header_sent_ = true;
  out += proto::format_stream_error_and_close(c, {}, application);
  session_ended_ = true;
  if (writer_running_) {
    keep_pending();
    outbox_->push(std::move(out));
    outbox_->close();
    co_return;
  }
  co_await stream_.write(out, write_timeout);
}

void session::start_writer() {
  writer_done_.emplace(stream_.get_executor(), asio::steady_timer::time_point::max());
  writer_running_ = true;
  asio::co_spawn(stream_.get_executor(), write_loop(), [this](std::exception_ptr e) {
    if (e) journal::record(journal::level::error, std::string(listener_name(kind_)), "writer failed", {});
    writer_running_ = false;
    // XEP-0198 5: a dropped connection keeps its queue for a resumption.
    if (sm_.resumable && !session_ended_ && !fault_)
      outbox_->pause();
    else
      outbox_->close();
    // The reader may wait for input that will not matter any more.
    if (reader_waiting_) stream_.cancel();
    writer_done_->cancel();
  });
}

asio::awaitable<void> session::write_loop() {
  for (;;) {
    auto pieces = co_await outbox_->next_pieces(writer_idle_wait());
    if (!pieces) break;
    if (pieces->empty()) {
      on_idle();
      continue;
    }
    auto const chunk = prepare_output(*pieces);  // XEP-0198 counting, XEP-0352 holding
    if (chunk.empty()) continue;
    auto written = co_await stream_.write(chunk, write_timeout);
    if (!written) break;
  }
}

// XEP-0198 4: a quiet stream with stanzas unacknowledged is asked for an ack.
// XEP-0199 4.2: a client silent for xmpp.ping_interval_seconds is pinged;
// one that stays silent for another interval is gone (RFC 6120 4.6.3).
void session::on_idle() {
  auto const now = std::chrono::steady_clock::now();
  request_ack_if_quiet(now);
  if (now - last_input_ < ping_interval_) return;
  if (ping_outstanding_) return on_fault(proto::stream_condition::connection_timeout, "no answer to a ping");
  ping_outstanding_ = true;
  push("<iq type='get' id='" + stream_id_ + "-ping' from='" + proto::escaped(host_) + "' to='" +
       proto::escaped(full_jid_) + "'><ping xmlns='urn:xmpp:ping'/></iq>");
}

// On the strand: a kick (conflict, shutdown) or an overflow of the outbox.
void session::on_fault(proto::stream_condition c, std::string_view why) {
  if (wake_parked(c)) return;
  if (fault_ || session_ended_) return;
  fault_ = c;
  fault_why_ = std::string(why);
  if (!writer_running_) {
    if (reader_waiting_) stream_.cancel();  // the reader writes the error
    return;
  }
  journal::record(journal::level::info, std::string(listener_name(kind_)), "stream error",
                  {{"client_ip", client_ip_},
                   {"user", full_jid_},
                   {"condition", proto::condition_name(c)},
                   {"detail", fault_why_}});
  session_ended_ = true;
  keep_pending();
  outbox_->push(proto::format_stream_error_and_close(c));
  outbox_->close();
  // SECURITY: a client that does not read never lets the error out: the
  // connection is cut after a grace period.
  fault_deadline_.emplace(stream_.get_executor(), fault_grace);
  fault_deadline_->async_wait([this, alive = std::weak_ptr<bool>(alive_)](boost::system::error_code ec) {
    if (!ec && !alive.expired()) stream_.close();
  });
}

void session::on_stop(bool force) {
  stopping_ = true;
  if (force) {
    stream_.close();
    wake_parked(proto::stream_condition::system_shutdown);
    return;
  }
  on_fault(proto::stream_condition::system_shutdown, "server stopping");
}

}  // namespace posta::jabber::server
