// The IMAP session loop: bytes in, command reader events, commands run,
// responses out. Responses are collected while the client has pipelined
// more complete commands and written together (RFC 3501 5.5).
#include "mail/imap/server/session.hpp"

#include "core/journal/journal.hpp"
#include "core/net/errors.hpp"
#include "core/net/listen_address.hpp"
#include "core/settings/settings.hpp"
#include "mail/imap/proto/parse_command.hpp"
#include "mail/imap/proto/response.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace posta::mail::imap::server {
namespace {

using namespace std::chrono_literals;
constexpr auto write_timeout = std::chrono::minutes(5);
constexpr auto tls_handshake_timeout = std::chrono::seconds(30);
// SECURITY: before login a client has this long for each command: enough
// for a person typing, too short to hold connections open cheaply.
constexpr auto preauth_timeout = std::chrono::seconds(60);
// Responses are written once this much is collected, pipelining or not.
constexpr std::size_t flush_threshold = 64 * 1024;
constexpr std::size_t read_chunk = 16 * 1024;

}  // namespace

session::session(context& ctx, listener_kind kind, net::stream stream)
    : ctx_(ctx),
      kind_(kind),
      stream_(std::move(stream)),
      client_ip_(stream_.remote_endpoint().address().to_string()) {
  apply_limits();
  if (ctx_.sessions)
    registration_ = ctx_.sessions->add(stream_.get_executor(), [this](bool force) { on_stop(force); });
}

session::~session() = default;

// SECURITY: the bounds of the settings, read when the session starts.
void session::apply_limits() {
  auto const& s = ctx_.settings;
  proto::reader_limits r;
  r.max_line = static_cast<std::size_t>(s.get_int("imap.max_line_kb")) * 1024;
  reader_.set_limits(r);
  literal_limits_.max_message = static_cast<std::uint64_t>(s.get_int("imap.max_literal_mb")) << 20;
  // MULTIAPPEND: a few messages of the largest size in one command.
  literal_limits_.max_append_command = 4 * literal_limits_.max_message;
  // A LOGIN password or a SEARCH string is never longer than a line.
  literal_limits_.max_other_command = r.max_line;
  if (ctx_.blobs) literal_limits_.inline_max = static_cast<std::uint64_t>(std::max<std::int64_t>(ctx_.blobs->inline_max_bytes(), 0));
  rate_.set_rate(static_cast<std::uint32_t>(s.get_int("imap.max_commands_per_second")),
                 std::chrono::steady_clock::now());
  metas_.set_max_bytes(static_cast<std::size_t>(s.get_int("imap.session_cache_kb")) * 1024);
}

// On the session's strand. An idle session is woken (its read cancelled)
// to say BYE now; a busy one finishes its command first.
void session::on_stop(bool force) {
  stopping_ = true;
  if (force) stream_.close();
  else if (idle_) stream_.cancel();
}

// RFC 3501 5.4: at least 30 minutes once logged in; before, much less.
std::chrono::steady_clock::duration session::read_timeout() const {
  if (state_ == proto::session_state::not_authenticated) return preauth_timeout;
  return std::chrono::minutes(ctx_.settings.get_int("imap.idle_timeout_minutes"));
}

void session::send(std::string const& text) { output_ += text; }

void session::ok(std::string const& tag, std::string_view text, std::string_view code) {
  send(proto::tagged(tag, proto::status::ok, code, text));
}
void session::no(std::string const& tag, std::string_view text, std::string_view code) {
  send(proto::tagged(tag, proto::status::no, code, text));
}
void session::bad(std::string const& tag, std::string_view text, std::string_view code) {
  send(proto::tagged(tag, proto::status::bad, code, text));
}

asio::awaitable<bool> session::flush() {
  if (output_.empty()) co_return true;
  std::string out;
  out.swap(output_);
  if (deflate_) out = deflate_->compress(out);
  auto written = co_await stream_.write(out, write_timeout);
  co_return written.has_value();
}

asio::awaitable<bool> session::fill() {
  if (stopping_) co_return false;
  if (deflate_ && deflate_->has_pending()) {
    auto more = deflate_->inflate(read_chunk);
    if (!more) co_return false;
    reader_.feed(*more);
    co_return true;
  }
  read_buffer_.resize(read_chunk);
  idle_ = true;
  auto n = co_await stream_.read_some(std::span<char>(read_buffer_.data(), read_buffer_.size()), read_timeout());
  idle_ = false;
  if (!n) {
    timed_out_ = net::is_timeout(n.error());
    co_return false;
  }
  std::string_view got(read_buffer_.data(), *n);
  if (deflate_) {
    deflate_->feed(got);
    auto plain = deflate_->inflate(read_chunk);
    if (!plain) co_return false;
    reader_.feed(*plain);
  } else {
    reader_.feed(got);
  }
  read_buffer_.clear();
  read_buffer_.shrink_to_fit();  // an idle session keeps no buffer
  co_return true;
}

asio::awaitable<std::optional<proto::reader_event>> session::next_event() {
  for (;;) {
    auto e = reader_.next();
    if (!std::holds_alternative<proto::reader_events::need_more>(e)) co_return e;
    bool flushed = co_await flush();
    if (!flushed) co_return std::nullopt;
    bool more = co_await fill();
    if (!more) co_return std::nullopt;
  }
}

asio::awaitable<std::optional<std::string>> session::read_raw_line() {
  for (;;) {
    auto e = reader_.next_line();
    if (auto* l = std::get_if<proto::reader_events::line>(&e)) co_return std::move(l->text);
    if (!std::holds_alternative<proto::reader_events::need_more>(e)) co_return std::nullopt;
    bool flushed = co_await flush();
    if (!flushed) co_return std::nullopt;
    bool more = co_await fill();
    if (!more) co_return std::nullopt;
  }
}

void session::on_literal(proto::reader_events::literal const& l) {
  auto const tag = l.tag.empty() ? std::string("*") : l.tag;
  using verdict = proto::literal_verdict;
  auto v = proto::judge_literal(l, literal_limits_, append_streams_.memory());
  if (v == verdict::accept || ((v == verdict::stream || v == verdict::stream_to_file) && !ctx_.blobs)) {
    reader_.accept_literal();
    if (l.synchronizing) send(proto::continuation("Ready for literal data"));
    return;
  }
  if (v != verdict::too_big) {  // a large APPEND message: into a blob writer as it arrives
    reader_.accept_literal_streamed();
    append_streams_.begin(*ctx_.blobs, v == verdict::stream_to_file, l.binary);
    if (l.synchronizing) send(proto::continuation("Ready for literal data"));
    return;
  }
  // SECURITY: refused before any of its bytes is held (RFC 7889, RFC 9051 7.1).
  reader_.refuse_literal();
  append_streams_.discard();  // the command's earlier messages
  if (l.verb == "APPEND") no(tag, "Message too large for APPENDLIMIT", "TOOBIG");
  else bad(tag, "Literal too large for this command", "TOOBIG");
}

asio::awaitable<bool> session::on_event(proto::reader_event& e) {
  namespace ev = proto::reader_events;
  if (auto* l = std::get_if<ev::literal>(&e)) {
    on_literal(*l);
    co_return true;
  }
  if (auto* d = std::get_if<ev::literal_data>(&e)) {
    co_await append_streams_.write(d->bytes, d->last);
    co_return true;
  }
  if (auto* r = std::get_if<ev::refused>(&e)) {
    append_streams_.discard();
    auto const tag = r->tag.empty() ? std::string("*") : r->tag;
    if (r->reason == ev::refusal::line_too_long) bad(tag, "Command line too long", "TOOBIG");
    else bad(tag, "Non-synchronizing literal above 4096 bytes", "TOOBIG");
    co_return true;
  }
  if (auto* c = std::get_if<ev::command>(&e)) {
    bool go_on = co_await on_command(*c);
    append_streams_.discard();  // what APPEND did not take (or a BAD command's)
    co_return go_on;
  }
  co_return true;  // a raw line outside IDLE/AUTHENTICATE cannot come from next()
}

asio::awaitable<bool> session::on_command(proto::reader_events::command const& c) {
  if (mailbox_deleted_) co_return false;  // BYE (run())
  auto const& text = c.text;
  if (auto wait = rate_.delay(std::chrono::steady_clock::now()); wait > 0s) {
    bool flushed = co_await flush();
    if (!flushed) co_return false;
    asio::steady_timer timer(stream_.get_executor(), wait);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  auto parsed = proto::parse_command(text, parse_options_, c.streamed);
  auto const tag = parsed.tag.empty() ? std::string("*") : parsed.tag;
  if (!parsed.ok()) {
    // The session goes on: a client's mistake ends only its command.
    bad(tag, parsed.tag.empty() ? "Missing or invalid tag" : parsed.error());
    co_return true;
  }
  if (!proto::is_allowed_in(parsed.cmd(), state_)) {
    bool const before_login = state_ == proto::session_state::not_authenticated;
    bad(tag, before_login ? "Log in first" : "Command not allowed in this state");
    co_return true;
  }
  // Changes of other sessions, told before this command's answer where the
  // rules let them be (RFC 3501 7: no EXPUNGE during FETCH/STORE/SEARCH).
  bool const reselect = std::holds_alternative<proto::select_cmd>(parsed.cmd());
  if (selected_ && !reselect) {
    bool const expunges = proto::may_announce_expunges(parsed.cmd());
    if (watching_ && watch_.take_change()) {
      bool go_on = co_await announce_changes(expunges);
      if (!go_on) co_return false;
    } else if (expunges && selected_->pending_expunges() != 0) {
      // Held back during an earlier FETCH/STORE/SEARCH: due now.
      send(announce_now(true));
    }
  }
  bool go_on = co_await dispatch(tag, parsed.cmd());
  if (mailbox_deleted_) go_on = false;
  if (output_.size() >= flush_threshold || reader_.buffered() == 0) {
    bool flushed = co_await flush();
    if (!flushed) co_return false;
  }
  co_return go_on;
}

asio::awaitable<bool> session::dispatch(std::string const& tag, proto::command& cmd) {
  // One awaitable per alternative, created and awaited in one statement.
  asio::awaitable<bool> step = std::visit([&](auto& c) { return on(tag, c); }, cmd);
  bool go_on = co_await std::move(step);
  co_return go_on;
}

asio::awaitable<void> session::run() {
  if (kind_ == listener_kind::imaps) {
    auto tls = ctx_.tls_for(kind_);
    if (!tls) co_return;
    auto handshake = co_await stream_.start_tls(*tls, tls_handshake_timeout);
    if (!handshake) co_return;
  }
  send(proto::untagged_status(proto::status::ok, capabilities(), "Posta IMAP ready"));
  for (;;) {
    auto e = co_await next_event();
    if (!e) break;
    bool go_on = co_await on_event(*e);
    if (!go_on) break;
  }
  if (mailbox_deleted_) send(proto::untagged_status(proto::status::bye, "", "The selected mailbox was deleted"));
  else if (stopping_) send(proto::untagged_status(proto::status::bye, "", "Server shutting down"));
  else if (timed_out_) send(proto::untagged_status(proto::status::bye, "", "Autologout; idle for too long"));
  if (stream_.is_open()) {
    co_await flush();
    co_await stream_.shutdown(std::chrono::seconds(5));
  }
}

}  // namespace posta::mail::imap::server
