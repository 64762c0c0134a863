// The SMTP session loop: bytes in, state machine, actions, replies out.
// Replies are held back while the client has more pipelined commands
// buffered (RFC 2920) and written together.
#include "mail/smtp/server/session.hpp"

#include "mail/mime/parse_message.hpp"

#include "core/blob/blob_store.hpp"
#include "core/journal/journal.hpp"
#include "core/net/errors.hpp"
#include "core/net/listen_address.hpp"
#include "core/settings/settings.hpp"
#include "mail/smtp/proto/line_length.hpp"

namespace posta::mail::smtp::server {
namespace {

using namespace std::chrono_literals;
constexpr auto write_timeout = std::chrono::minutes(5);
constexpr auto tls_handshake_timeout = std::chrono::seconds(30);
// SECURITY: the longest line buffered at all: AUTH and its responses (RFC
// 4954 4: 12,288 octets). Shorter bounds per verb are the state machine's
// (proto/line_length.hpp).
constexpr std::size_t max_buffered_line = proto::max_auth_command_line;

proto::machine_config make_config(context const& ctx, listener_kind kind) {
  proto::machine_config c;
  auto banner = ctx.settings.get_string("smtp.banner_name");
  c.server_name = banner.empty() ? ctx.hostname : banner;  // as session::server_name()
  // SECURITY: never more than the MIME parser takes (less room for our own
  // Received header), or a message would be accepted that cannot be stored:
  // 0 ("unlimited") means that largest size, and the setting's maximum is
  // below it (core/settings/definitions.cpp).
  constexpr std::uint64_t storable = mime::parse_limits{}.max_message_bytes - 1024 * 1024;
  auto mb = ctx.settings.get_int("smtp.max_message_size_mb");
  c.max_message_size = mb > 0 ? std::min(static_cast<std::uint64_t>(mb) * 1024 * 1024, storable) : storable;
  auto rcpts = ctx.settings.get_int("smtp.max_recipients");
  c.max_recipients = rcpts > 0 ? static_cast<std::size_t>(rcpts) : SIZE_MAX;
  c.tls_available = ctx.tls_for(kind) != nullptr && kind != listener_kind::submissions;
  c.tls_active = kind == listener_kind::submissions;
  // SECURITY: the MX port is for other servers; AUTH there only invites
  // password guessing from the whole internet, so it is off unless enabled.
  if (kind != listener_kind::mx || ctx.settings.get_bool("smtp.auth_on_mx"))
    c.auth_mechanisms = {"PLAIN", "LOGIN", "SCRAM-SHA-256"};
  c.auth_requires_tls = true;
  c.require_auth = kind != listener_kind::mx;
  c.require_tls = kind == listener_kind::submission && ctx.tls_for(kind) != nullptr;
  c.allow_expn = true;  // answered 252 without disclosure, like VRFY
  return c;
}

// SECURITY: the per-session budgets of the settings (0 = unlimited).
proto::budget_limits make_budget(settings::store const& settings) {
  proto::budget_limits b;
  b.max_commands = static_cast<std::uint64_t>(settings.get_int("smtp.max_commands_per_session"));
  b.max_commands_per_second = static_cast<std::uint32_t>(settings.get_int("smtp.max_commands_per_second"));
  b.max_lifetime = std::chrono::minutes(settings.get_int("smtp.max_session_minutes"));
  return b;
}

}  // namespace

std::shared_ptr<boost::asio::ssl::context> context::tls_for(listener_kind kind) const {
  return tls ? tls->for_listener(listener_name(kind)) : nullptr;
}

std::string_view listener_name(listener_kind k) {
  switch (k) {
    case listener_kind::mx: return "smtp";
    case listener_kind::submission: return "submission";
    case listener_kind::submissions: return "submissions";
  }
  return "smtp";
}

session::session(context& ctx, listener_kind kind, net::stream stream)
    : ctx_(ctx),
      kind_(kind),
      stream_(std::move(stream)),
      reader_(stream_, net::line_limits{max_buffered_line, true}),
      machine_([&] {
        auto c = make_config(ctx, kind);
        // COMPAT: plaintext AUTH on loopback for local tools, when allowed.
        auto peer = stream_.remote_endpoint().address();
        if (net::is_loopback(peer) && ctx.settings.get_bool("smtp.allow_plaintext_auth_on_loopback")) {
          c.auth_requires_tls = false;
          c.require_tls = false;
        }
        return c;
      }()),
      client_ip_(stream_.remote_endpoint().address().to_string()),
      budget_(make_budget(ctx.settings), std::chrono::steady_clock::now()),
      // RFC 5321 4.5.3.2.7: five minutes by default.
      command_timeout_(std::chrono::seconds(ctx.settings.get_int("smtp.command_timeout_seconds"))),
      min_data_rate_(static_cast<std::uint64_t>(ctx.settings.get_int("smtp.min_data_rate_bytes_per_second"))) {
  if (ctx_.message_memory) message_memory_ = ctx_.message_memory->reserve();
  if (ctx_.sessions)
    registration_ = ctx_.sessions->add(stream_.get_executor(), [this](bool force) { on_stop(force); });
}

session::~session() { discard_body(); }

// On the session's strand. An idle session is woken (its read cancelled) to
// say 421 now; a busy one finishes its command or message first.
void session::on_stop(bool force) {
  stopping_ = true;
  if (force) stream_.close();
  else if (idle_) stream_.cancel();
}

std::optional<proto::reply> session::check_budget() {
  using verdict = proto::session_budget::verdict;
  switch (budget_.on_command(std::chrono::steady_clock::now())) {
    case verdict::ok: return std::nullopt;
    case verdict::too_many_commands:
      return proto::make_reply(421, "4.7.0", server_name() + " too many commands, closing connection");
    case verdict::too_fast:
      return proto::make_reply(421, "4.7.0", server_name() + " commands too fast, closing connection");
    case verdict::too_old:
      return proto::make_reply(421, "4.4.2", server_name() + " session too long, closing connection");
  }
  return std::nullopt;
}

proto::reply session::ending_reply() const {
  if (stopping_) return proto::make_reply(421, "4.3.2", server_name() + " shutting down, closing connection");
  if (budget_.has_lifetime() && budget_.lifetime_left(std::chrono::steady_clock::now()) == 0s)
    return proto::make_reply(421, "4.4.2", server_name() + " session too long, closing connection");
  return proto::make_reply(421, "4.4.2", server_name() + " timeout, closing connection");
}

// SECURITY: one deadline for the whole line (not restarted by each byte),
// and never past the session's lifetime.
asio::awaitable<result<std::string_view>> session::read_command() {
  auto timeout = command_timeout_;
  if (budget_.has_lifetime())
    timeout = std::max<std::chrono::steady_clock::duration>(
        1ms, std::min(timeout, budget_.lifetime_left(std::chrono::steady_clock::now())));
  idle_ = true;
  auto line = co_await reader_.read_line(timeout);
  idle_ = false;
  co_return line;
}

// SECURITY: a DATA or BDAT transfer gets the command timeout plus the time
// its bytes earn at smtp.min_data_rate_bytes_per_second (slowloris bound).
net::transfer_deadline session::transfer_deadline() const {
  return net::transfer_deadline(std::chrono::steady_clock::now(), command_timeout_, min_data_rate_);
}

asio::awaitable<result<std::string_view>> session::read_payload(net::transfer_deadline& deadline) {
  auto const left = deadline.remaining(std::chrono::steady_clock::now());
  if (left == 0s) co_return make_error(net::net_errc::timeout, "transfer deadline");
  auto chunk = co_await reader_.read_chunk(left);
  if (chunk) deadline.on_bytes(chunk->size());
  co_return chunk;
}

asio::awaitable<bool> session::flush() {
  if (output_.empty()) co_return true;
  auto written = co_await stream_.write(output_, write_timeout);
  output_.clear();
  co_return written.has_value();
}

asio::awaitable<bool> session::send(proto::reply const& r, bool flush_now) {
  output_ += proto::format(r);
  // RFC 2920: hold replies while more pipelined commands are waiting.
  if (!flush_now && !reader_.buffered().empty()) co_return true;
  bool flushed = co_await flush();
  co_return flushed;
}

asio::awaitable<void> session::run() {
  if (kind_ == listener_kind::submissions) {
    auto tls = ctx_.tls_for(kind_);
    if (!tls) co_return;
    auto handshake = co_await stream_.start_tls(*tls, tls_handshake_timeout);
    if (!handshake) co_return;
  }
  bool greeted = co_await send(machine_.greeting(), true);
  if (!greeted) co_return;
  for (;;) {
    if (stopping_) {
      co_await send(ending_reply(), true);
      break;
    }
    auto line = co_await read_command();
    proto::action next;
    if (line || net::is_line_too_long(line.error())) {
      if (auto end = check_budget()) {
        co_await send(*end, true);
        break;
      }
      if (line) next = machine_.on_line(*line);
      else next = machine_.on_line_too_long();
    } else {
      // A timeout or a shutdown gets its 421; end of stream and I/O errors
      // end silently. The transaction in progress is abandoned.
      if (net::is_timeout(line.error()) || stopping_) co_await send(ending_reply(), true);
      break;
    }
    bool keep_going = co_await perform(std::move(next));
    if (!keep_going) break;
  }
  // An abandoned message's temporary file goes before the connection closes,
  // so a client that sees the close knows nothing of it is left.
  body_.reset();
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
  bool sent = co_await send(a.response, a.close);
  co_return sent && !a.close;
}

asio::awaitable<bool> session::act(proto::check_sender a) {
  // A new transaction: drop what an abandoned one (RSET during BDAT) received.
  discard_body();
  body_buffer_.clear();
  role_targets_.clear();
  auto verdict = co_await sender_policy(a.mail);
  if (verdict.is_error())
    log_refusal("sender rejected", a.mail.reverse_path.is_null() ? "" : proto::to_string(*a.mail.reverse_path.mailbox),
                verdict);
  bool keep_going = co_await act(machine_.on_sender_outcome(verdict));
  co_return keep_going;
}

asio::awaitable<bool> session::act(proto::check_recipient a) {
  auto verdict = co_await recipient_policy(a.rcpt);
  if (verdict.is_error())
    log_refusal("recipient rejected", a.rcpt.forward_path.mailbox ? proto::to_string(*a.rcpt.forward_path.mailbox) : "",
                verdict);
  bool keep_going = co_await act(machine_.on_recipient_outcome(verdict));
  co_return keep_going;
}

std::string session::server_name() const {
  auto banner = ctx_.settings.get_string("smtp.banner_name");
  return banner.empty() ? ctx_.hostname : banner;
}

void session::log_refusal(std::string_view what, std::string const& address, proto::reply const& r) const {
  journal::record(journal::level::warning, std::string(listener_name(kind_)), std::string(what),
                  {{"client_ip", client_ip_}, {"address", address}, {"reply", proto::format(r).substr(0, 200)},
                   {"result", r.is_transient() ? "deferred" : "rejected"}, {"user", authenticated_as_}});
}

asio::awaitable<bool> session::act(proto::start_tls a) {
  bool ready = co_await send(a.go_ahead, true);
  auto tls = ctx_.tls_for(kind_);
  if (!ready || !tls) co_return false;
  // SECURITY: line_reader::start_tls drops pipelined plaintext first.
  auto handshake = co_await reader_.start_tls(*tls, tls_handshake_timeout);
  if (!handshake) co_return false;
  machine_.on_tls_started();
  authenticated_as_.clear();
  co_return true;
}

asio::awaitable<bool> session::act(proto::verify_address) {
  // Never discloses whether an account exists (RFC 5321 3.5.3: 252).
  bool keep_going = co_await act(machine_.on_lookup_outcome(proto::replies::vrfy_cannot_verify()));
  co_return keep_going;
}

asio::awaitable<bool> session::act(proto::expand_list) {
  bool keep_going = co_await act(machine_.on_lookup_outcome(proto::replies::vrfy_cannot_verify()));
  co_return keep_going;
}

}  // namespace posta::mail::smtp::server
