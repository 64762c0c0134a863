// The POP3 session loop: lines in, state machine, actions, responses out.
// Responses are held back while the client has more pipelined commands
// buffered (RFC 2449 6.6 PIPELINING) and written together; commands beyond
// pop3.max_commands_per_second wait their turn.
#include "mail/pop3/server/session.hpp"

#include "core/journal/journal.hpp"
#include "core/net/errors.hpp"
#include "core/net/listen_address.hpp"
#include "core/settings/settings.hpp"
#include "mail/pop3/proto/limits.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace posta::mail::pop3::server {
namespace {

constexpr auto write_timeout = std::chrono::minutes(5);
constexpr auto tls_handshake_timeout = std::chrono::seconds(30);

proto::machine_config make_config(context const& ctx, listener_kind kind, net::stream const& stream) {
  proto::machine_config c;
  c.tls_available = ctx.tls_for(kind) != nullptr && kind == listener_kind::pop3;
  c.tls_active = kind == listener_kind::pop3s;
  // SECURITY: plaintext passwords only inside TLS; COMPAT: a webmail or
  // fetcher on the same host may be allowed to skip it.
  c.plaintext_auth_without_tls = net::is_loopback(stream.remote_endpoint().address()) &&
                                 ctx.settings.get_bool("pop3.allow_plaintext_auth_on_loopback");
  return c;
}

}  // namespace

session::session(context& ctx, listener_kind kind, net::stream stream)
    : ctx_(ctx),
      kind_(kind),
      stream_(std::move(stream)),
      // SECURITY: no line longer than an AUTH line is ever buffered; the
      // state machine bounds ordinary commands to RFC 2449's 255 octets.
      // COMPAT: some clients end lines with a bare LF.
      reader_(stream_, net::line_limits{proto::max_auth_line, true}),
      machine_(make_config(ctx, kind, stream_)),
      client_ip_(stream_.remote_endpoint().address().to_string()),
      // SECURITY: RFC 1939 3 autologout timer (at least 10 minutes by default).
      idle_timeout_(std::chrono::minutes(ctx.settings.get_int("pop3.idle_timeout_minutes"))) {
  // SECURITY: a client pipelining thousands of commands (each LIST of a large
  // maildrop costs real work) is slowed down rather than served flat out.
  rate_.set_rate(static_cast<std::uint32_t>(ctx.settings.get_int("pop3.max_commands_per_second")),
                 std::chrono::steady_clock::now());
  if (ctx_.sessions)
    registration_ = ctx_.sessions->add(stream_.get_executor(), [this](bool force) { on_stop(force); });
}

// On the session's strand. An idle session is woken (its read cancelled) to
// say goodbye now; a busy one (sending a message, committing QUIT) finishes first.
void session::on_stop(bool force) {
  stopping_ = true;
  if (force) stream_.close();
  else if (idle_) stream_.cancel();
}

proto::reply session::ending_reply() const {
  if (stopping_) return proto::err("Server shutting down, closing connection", proto::resp_code::sys_temp);
  return proto::err("Idle for too long, closing connection");
}

asio::awaitable<result<std::string_view>> session::read_command() {
  idle_ = true;
  auto line = co_await reader_.read_line(idle_timeout_);
  idle_ = false;
  co_return line;
}

asio::awaitable<bool> session::pace() {
  auto const wait = rate_.delay(std::chrono::steady_clock::now());
  if (wait <= std::chrono::steady_clock::duration::zero()) co_return true;
  if (!slowed_) {
    slowed_ = true;
    journal::record(journal::level::info, std::string(listener_name(kind_)), "commands slowed down",
                    {{"client_ip", client_ip_}, {"user", authenticated_as_}});
  }
  // What was answered so far goes out before the pause.
  bool flushed = co_await flush();
  if (!flushed) co_return false;
  asio::steady_timer timer(stream_.get_executor(), wait);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return true;
}

asio::awaitable<void> session::release_lock() {
  if (!lock_) co_return;
  auto lock = std::move(*lock_);
  lock_.reset();
  co_await ctx_.locks.release(std::move(lock));
}

asio::awaitable<void> session::say_goodbye() {
  co_await release_lock();
  auto goodbye = proto::format(ending_reply());
  co_await send(std::move(goodbye), true);
}

asio::awaitable<bool> session::flush() {
  if (output_.empty()) co_return true;
  auto written = co_await stream_.write(output_, write_timeout);
  output_.clear();
  co_return written.has_value();
}

asio::awaitable<bool> session::send(std::string bytes, bool flush_now) {
  output_ += bytes;
  // RFC 2449 6.6: hold responses while more pipelined commands are waiting.
  if (!flush_now && !reader_.buffered().empty() && output_.size() < flush_threshold) co_return true;
  bool flushed = co_await flush();
  co_return flushed;
}

asio::awaitable<void> session::run() {
  if (kind_ == listener_kind::pop3s) {
    auto tls = ctx_.tls_for(kind_);
    if (!tls) co_return;
    auto handshake = co_await stream_.start_tls(*tls, tls_handshake_timeout);
    if (!handshake) co_return;
  }
  auto greeting = proto::format(machine_.greeting());
  bool greeted = co_await send(std::move(greeting), true);
  if (!greeted) co_return;
  for (;;) {
    if (stopping_) {
      co_await say_goodbye();
      break;
    }
    auto line = co_await read_command();
    proto::action next;
    if (line) {
      bool paced = co_await pace();
      if (!paced) break;
      next = machine_.on_line(*line);
    } else if (net::is_line_too_long(line.error())) {
      next = machine_.on_line_too_long();
    } else {
      // A timeout or a shutdown gets its goodbye; end of stream and I/O
      // errors end silently. RFC 1939 3: no UPDATE, nothing is deleted.
      if (net::is_timeout(line.error()) || stopping_) co_await say_goodbye();
      break;
    }
    bool keep_going = co_await perform(std::move(next));
    if (!keep_going) break;
  }
  // However the session ended (QUIT, a drop, a timeout, a write error): the
  // maildrop is free again before the connection closes.
  co_await release_lock();
  co_await flush();
  co_await stream_.shutdown(std::chrono::seconds(5));
}

asio::awaitable<bool> session::perform(proto::action a) {
  // One awaitable per alternative, created and awaited in one statement.
  asio::awaitable<bool> step = std::visit([this](auto& x) { return act(std::move(x)); }, a);
  bool keep_going = co_await std::move(step);
  co_return keep_going;
}

asio::awaitable<bool> session::act(proto::send_reply a) {
  if (a.close) co_await release_lock();
  auto text = proto::format(a.response);
  bool sent = co_await send(std::move(text), a.close);
  co_return sent && !a.close;
}

asio::awaitable<bool> session::act(proto::start_tls a) {
  auto text = proto::format(a.go_ahead);
  bool ready = co_await send(std::move(text), true);
  auto tls = ctx_.tls_for(kind_);
  if (!ready || !tls) co_return false;
  // SECURITY: line_reader::start_tls drops pipelined plaintext first (CVE-2011-0411).
  auto handshake = co_await reader_.start_tls(*tls, tls_handshake_timeout);
  if (!handshake) co_return false;
  machine_.on_tls_started();
  co_return true;
}

asio::awaitable<bool> session::act(proto::send_continuation a) {
  auto text = proto::format_continuation(a.challenge);
  bool sent = co_await send(std::move(text), true);
  co_return sent;
}

}  // namespace posta::mail::pop3::server
