// Receiving a message (DATA with dot-unstuffing, or BDAT chunks) straight
// into a blob file, then storing it: fsync, parse once, one committed
// transaction for every recipient, and only then the 250 reply.
#include "core/blob/blob_store.hpp"
#include "core/journal/journal.hpp"
#include "core/net/blocking.hpp"
#include "core/net/errors.hpp"
#include "core/settings/settings.hpp"
#include "core/util/crypto_random.hpp"
#include "core/util/date.hpp"
#include "mail/delivery/committer.hpp"
#include "mail/delivery/dsn.hpp"
#include "mail/delivery/idempotency.hpp"
#include "mail/delivery/recipients.hpp"
#include "mail/mime/parse_message.hpp"
#include "mail/mime/structure_json.hpp"
#include "mail/smtp/proto/crlf_normaliser.hpp"
#include "mail/smtp/proto/received.hpp"
#include "mail/smtp/server/session.hpp"

#include <boost/asio/post.hpp>

namespace posta::mail::smtp::server {
namespace {

constexpr std::size_t body_flush_bytes = 64 * 1024;
// Messages up to this size are also kept in memory for parsing, so the blob
// is not read back from disk after it was written. SECURITY: only while the
// global budget (context::message_memory) has room; past it, disk only.
constexpr std::size_t kept_in_memory_bytes = 4 * 1024 * 1024;

std::string dsn_notify_text(std::optional<proto::dsn_notify> const& n) {
  if (!n) return "";
  if (n->never) return "NEVER";
  std::string out;
  for (auto [on, name] : {std::pair{n->success, "SUCCESS"}, {n->failure, "FAILURE"}, {n->delay, "DELAY"}})
    if (on) out += (out.empty() ? "" : ",") + std::string(name);
  return out;
}

// Transient trouble (the database, a timeout) is 451; only a decision about
// this message, that its envelope cannot be stored, is permanent.
proto::reply delivery_failed(error const& e) {
  if (e.code == make_error_code(errc::invalid_argument))
    return proto::make_reply(554, "5.6.0", "Message cannot be stored: " + e.context);
  return proto::replies::local_error();
}

struct stored_blob {
  blob::blob_ref ref;
  std::string structure_json;
  // From and Sender, strictly parsed, for the checks of authenticated sessions.
  std::optional<mime::originators> originators;
  std::string originator_error;  // why they are malformed, when they are
  std::shared_ptr<std::string const> text;  // the message, for a DSN if one is due
};

// Disk work: the last buffered bytes, the fsyncs, and reading the message
// back when it was not kept in memory.
result<stored_blob> finish_blob_blocking(blob::writer& w, blob::store const& blobs, std::string_view rest,
                                         std::string text) {
  stored_blob out;
  if (!rest.empty()) POSTA_TRY(w.append(rest));
  out.ref = POSTA_TRY(w.finish_blocking());
  if (out.ref.is_inline()) {
    out.text = out.ref.inline_body;
  } else if (static_cast<std::int64_t>(text.size()) == out.ref.size) {
    out.text = std::make_shared<std::string const>(std::move(text));
  } else {
    out.text = std::make_shared<std::string const>(POSTA_TRY(blobs.read_file_blocking(out.ref.hash)));
  }
  return out;
}

// A small body is hashed and parsed on the session's own thread: measured
// under load, the two thread hand-offs of a trip to the CPU pool (futex
// wake-ups and context switches) cost more than the work itself, which
// stays far below a millisecond at this size.
constexpr std::size_t parse_here_max_bytes = 64 * 1024;

// CPU work: parsing once.
result<void> parse_blob_blocking(stored_blob& out) {
  auto structure = POSTA_TRY(mime::parse_message(*out.text));
  if (auto o = mime::parse_originators(*out.text)) {
    out.originators = std::move(*o);
  } else {
    out.originator_error = o.error().context;
  }
  out.structure_json = mime::to_json_text(structure);
  return {};
}

}  // namespace

std::string session::received_header(proto::envelope const& env) const {
  proto::received_fields f;
  f.helo = machine_.helo_name();
  f.client_ip = client_ip_;
  f.server_name = server_name();
  f.tls = stream_.is_tls();
  f.tls_description = stream_.tls_description();
  f.authenticated = !authenticated_as_.empty();
  f.authenticated_user = authenticated_as_;
  f.utf8 = env.mail.params.smtputf8;
  f.id = message_id_;
  if (env.recipients.size() == 1 && env.recipients[0].forward_path.mailbox)
    f.single_recipient = proto::to_string(*env.recipients[0].forward_path.mailbox);
  f.date = util::rfc5322_date(std::chrono::system_clock::now());
  return proto::format_received(f);
}

// The writer starts in memory; the temporary file is created when it spills,
// in flush_body() on the disk pool.
result<void> session::begin_message() {
  discard_body();
  // The queue id the client is told ("queued as …"), written in Received and
  // the journal, and the delivery id of the commit (schema/004): `posta
  // queue` shows the same id, so one id follows a message from client to
  // queue. 128 bits, as delivery ids need (mail/delivery/idempotency.hpp).
  // Without one there is no body writer, and the data is answered with 451.
  message_id_ = POSTA_TRY(delivery::new_delivery_id());
  // SECURITY: the header block and its lines are bounded while they stream in.
  auto header_kb = ctx_.settings.get_int("smtp.max_header_kb");
  header_guard_ = proto::header_guard({static_cast<std::uint64_t>(std::max<std::int64_t>(header_kb, 1)) * 1024, 998});
  bare_line_end_ = false;
  // RFC 3030 2: the chunks are one stream, so a CR ending one chunk and the
  // LF starting the next are one line end.
  chunk_normaliser_.emplace([this](std::string_view piece) { take_content(piece); });
  body_buffer_.clear();
  body_failed_ = false;
  message_too_big_to_keep_ = false;
  body_ = std::make_unique<blob::writer>(ctx_.blobs.begin());  // in memory until it spills (disk pool)
  body_buffer_.clear();
  message_text_.clear();
  message_memory_.release();
  append_body(received_header(machine_.current_envelope()));
  return {};
}

// An unfinished writer unlinks its temporary file when destroyed: disk work,
// so it is destroyed on the disk pool, never on an io thread.
void session::discard_body() {
  if (!body_) return;
  asio::post(net::blocking_executor(net::pool_kind::disk), [w = std::move(body_)] {});
  body_.reset();
}

void session::append_body(std::string_view data) {
  body_buffer_.append(data);
  bool const fits = message_text_.size() + data.size() <= kept_in_memory_bytes;
  if (!message_too_big_to_keep_ && fits && (!ctx_.message_memory || message_memory_.grow(data.size()))) {
    message_text_.append(data);
  } else if (!message_too_big_to_keep_) {
    message_too_big_to_keep_ = true;  // parsed from the blob file instead
    std::string().swap(message_text_);
    message_memory_.release();
  }
}

// The buffered part of the body goes to the writer once there is enough of
// it: in memory while the body fits the inline limit, otherwise to its file,
// which is disk work, so on the disk pool (the spill creates the file).
asio::awaitable<void> session::flush_body() {
  if (body_buffer_.size() < body_flush_bytes) co_return;
  if (!body_failed_ && body_) {
    auto& writer = *body_;
    std::string const& data = body_buffer_;
    result<void> written;
    if (writer.stays_inline_with(data.size())) written = writer.append(data);
    else written = co_await net::run_disk([&] { return writer.append(data); });
    if (!written) body_failed_ = true;
  }
  body_buffer_.clear();  // after a failure too: it is answered 451 at the end
}

// The client's octets (canonical CRLF): kept only while the header is within
// its bounds; a refused message is read to its end but not stored.
void session::take_content(std::string_view piece) {
  if (header_guard_.feed(piece)) append_body(piece);
}

// SECURITY: a bare CR or LF is refused, not repaired (like Postfix's
// smtpd_forbid_bare_newline = reject). Repairing means guessing: "\n.\r\n"
// would become an end-of-data line for the next hop and ".\n" would lose
// its dot (SMTP smuggling). A refused message leaves one stored form only:
// exactly the CRLF lines the client sent, for DATA and BDAT alike.
std::optional<proto::reply> session::content_refusal() const {
  if (header_guard_.refusal()) return header_guard_.refusal();
  if (bare_line_end_)
    return proto::make_reply(554, "5.6.0", "Bare CR or LF in message: lines must end with CRLF (RFC 5321 2.3.8)");
  return std::nullopt;
}

asio::awaitable<bool> session::act(proto::receive_data a) {
  bool ready = co_await send(a.go_ahead, true);
  if (!ready) co_return false;
  (void)begin_message();  // a failure is reported after the data, as 451
  proto::data_decoder decoder(a.max_size, [this](std::string_view piece) { take_content(piece); });
  auto deadline = transfer_deadline();
  while (!decoder.is_done()) {
    auto chunk = co_await read_payload(deadline);
    // DURABILITY: a client that disconnects mid-DATA leaves nothing: the
    // writer's temporary file is removed with the session.
    if (!chunk) {
      if (net::is_timeout(chunk.error())) co_await send(ending_reply(), true);
      co_return false;
    }
    auto progress = decoder.feed(*chunk);
    if (progress.consumed < chunk->size()) reader_.give_back(chunk->substr(progress.consumed));
    co_await flush_body();
  }
  bare_line_end_ = decoder.has_bare_line_end();
  auto envelope = machine_.current_envelope();
  auto next = machine_.on_data_end(decoder);
  log_if_refused(envelope, next, static_cast<std::int64_t>(decoder.octets()));
  bool keep_going = co_await perform(std::move(next));
  co_return keep_going;
}

asio::awaitable<bool> session::act(proto::receive_chunk a) {
  if (a.keep && !body_) (void)begin_message();
  // BDAT content is taken verbatim; line ends are checked across chunks.
  std::uint64_t left = a.size;
  auto deadline = transfer_deadline();
  while (left > 0) {
    auto chunk = co_await read_payload(deadline);
    if (!chunk) {
      if (net::is_timeout(chunk.error())) co_await send(ending_reply(), true);
      co_return false;
    }
    auto take = std::min<std::uint64_t>(left, chunk->size());
    if (a.keep && chunk_normaliser_) chunk_normaliser_->feed(chunk->substr(0, take));
    if (take < chunk->size()) reader_.give_back(chunk->substr(take));
    left -= take;
    co_await flush_body();
  }
  if (a.keep && a.last && chunk_normaliser_) {
    chunk_normaliser_->finish();
    bare_line_end_ = chunk_normaliser_->has_bare_line_end();
  }
  auto envelope = machine_.current_envelope();
  auto next = machine_.on_chunk_done();
  log_if_refused(envelope, next, body_ ? body_->size() : 0);
  bool keep_going = co_await perform(std::move(next));
  co_return keep_going;
}

asio::awaitable<bool> session::act(proto::store_message a) {
  auto outcome = co_await store(a.message);
  log_message(a.message, outcome, body_ ? body_->size() : 0);
  discard_body();
  body_buffer_.clear();
  message_memory_.release();
  bool keep_going = co_await act(machine_.on_message_outcome(outcome));
  co_return keep_going;
}

asio::awaitable<proto::reply> session::store(proto::envelope const& env) {
  if (auto refusal = content_refusal()) co_return *refusal;
  if (body_failed_ || !body_) co_return proto::replies::local_error();
  auto& writer = *body_;
  auto const& blobs = ctx_.blobs;
  std::string const& rest = body_buffer_;
  std::string text = message_too_big_to_keep_ ? std::string() : std::move(message_text_);
  result<stored_blob> stored = make_error(errc::internal, "not stored");
  auto finish_and_parse = [&]() -> result<stored_blob> {
    auto out = POSTA_TRY(finish_blob_blocking(writer, blobs, rest, std::move(text)));
    POSTA_TRY(parse_blob_blocking(out));
    return out;
  };
  if (writer.stays_inline_with(rest.size()) && static_cast<std::size_t>(writer.size()) + rest.size() <= parse_here_max_bytes) {
    stored = finish_and_parse();
  } else if (writer.stays_inline_with(rest.size())) {
    // No disk work for a body that lives in the database: finishing it (a
    // hash) and parsing it are one trip to the CPU pool, not two hand-offs.
    stored = co_await net::run_cpu(finish_and_parse);
  } else {
    stored = co_await net::run_disk([&] { return finish_blob_blocking(writer, blobs, rest, std::move(text)); });
    if (stored) {
      auto parsed = co_await net::run_cpu([&] { return parse_blob_blocking(*stored); });
      if (!parsed) stored = parsed.error();
    }
  }
  body_buffer_.clear();
  if (!stored) co_return proto::replies::local_error();
  if (!authenticated_as_.empty()) {
    auto refusal = co_await originator_refusal(stored->originators, stored->originator_error);
    if (refusal) co_return *refusal;
  }
  delivery::request req;
  req.blob = stored->ref;
  req.structure_json = std::move(stored->structure_json);
  req.sender = env.mail.reverse_path.is_null() ? "" : proto::to_string(*env.mail.reverse_path.mailbox);
  for (auto const& r : env.recipients) {
    auto address = proto::to_string(*r.forward_path.mailbox);
    if (auto role = role_targets_.find(address); role != role_targets_.end()) address = role->second;
    delivery::recipient rcpt{address, std::nullopt, std::nullopt};
    if (r.params.notify) rcpt.notify = dsn_notify_text(r.params.notify);
    if (r.params.orcpt) rcpt.orcpt = r.params.orcpt->address_type + ";" + r.params.orcpt->address;
    req.recipients.push_back(std::move(rcpt));
  }
  req.envid = env.mail.params.envid;
  if (env.mail.params.ret) req.ret = *env.mail.params.ret == proto::dsn_return::full ? "FULL" : "HDRS";
  // COMPAT(client): UTF-8 headers without SMTPUTF8 are common; the next
  // server still needs SMTPUTF8 (or RFC 2047 words) for them.
  req.smtputf8 = env.mail.params.smtputf8 || (stored->text && delivery::is_8bit(delivery::header_block(*stored->text)));
  if (env.mail.params.body == proto::body_type::eight_bit_mime) req.body_type = "8BITMIME";
  if (env.mail.params.body == proto::body_type::binary_mime) req.body_type = "BINARYMIME";
  req.client_ip = client_ip_;
  req.reporting_mta = server_name();
  req.delivery_id = message_id_;
  req.sender_authenticated = !authenticated_as_.empty();
  req.may_sign = may_relay();
  if (req.sender_authenticated) req.original_headers = std::string(delivery::header_block(*stored->text));
  // DURABILITY: the 250 below is sent only after this commit returned; a
  // failure notice, when one is due, was committed with it.
  auto report = co_await ctx_.committer.deliver(req);
  if (!report) co_return delivery_failed(report.error());
  // SECURITY: a message that no mailbox took is refused here rather than
  // accepted and bounced (which would reflect it to a forged sender).
  if (report->reached_nobody_it_should()) {
    if (!report->over_quota.empty()) co_return proto::make_reply(552, "5.2.2", "Mailbox full");
    co_return proto::make_reply(550, "5.1.1", "Recipient address no longer exists");
  }
  if ((!report->over_quota.empty() || !report->gone.empty()) && !report->notice_sent)
    log_undelivered(*report);
  co_return proto::replies::message_queued(message_id_);
}

// Accepted for some recipients, not for others, and no notice could go back
// (an unauthenticated or null sender, or NOTIFY=NEVER): the journal says so.
void session::log_undelivered(delivery::report const& r) const {
  boost::json::array failed;
  for (auto const& a : r.over_quota) failed.emplace_back(a);
  for (auto const& a : r.gone) failed.emplace_back(a);
  journal::record(journal::level::warning, std::string(listener_name(kind_)), "message not delivered to some recipients",
                  {{"id", message_id_}, {"recipients", failed}, {"reason", "mailbox full or gone since RCPT"},
                   {"notice", "none"}});
}

// SECURITY: whatever the port, a message from an authenticated user has one
// well-formed From whose every mailbox is the user's, and a Sender (if any)
// that is the user's too; otherwise anyone could sign as anyone. Malformed
// or repeated fields are refused outright: 550 5.6.0. A failed lookup is
// transient (451 4.3.0), never a refusal.
asio::awaitable<std::optional<proto::reply>> session::originator_refusal(std::optional<mime::originators> const& o,
                                                                         std::string const& why) {
  if (!o) co_return proto::make_reply(550, "5.6.0", why);
  std::vector<std::pair<std::string, std::string>> checks;  // field, mailbox
  for (auto const& m : o->from) checks.emplace_back("From", m);
  if (!o->sender.empty()) checks.emplace_back("Sender", o->sender);
  for (auto const& [field, mailbox] : checks) {
    auto owned = co_await ctx_.resolver.may_send_as(authenticated_as_, mailbox);
    if (!owned) co_return proto::make_reply(451, "4.3.0", "Cannot check the sender address now; try again later");
    if (!*owned)
      co_return proto::make_reply(553, "5.7.1", field + " address <" + mailbox + "> not owned by " + authenticated_as_);
  }
  co_return std::nullopt;
}

// A message refused at the end of its data (too big) is journalled here; one
// that reaches store_message is journalled after storing.
void session::log_if_refused(proto::envelope const& env, proto::action const& next, std::int64_t size) {
  if (auto const* r = std::get_if<proto::send_reply>(&next); r && r->response.is_error()) {
    log_message(env, r->response, size);
    discard_body();
    body_buffer_.clear();
    std::string().swap(message_text_);
    message_memory_.release();
  }
}

void session::log_message(proto::envelope const& env, proto::reply const& outcome, std::int64_t size) const {
  boost::json::array rcpts;
  for (auto const& r : env.recipients)
    if (r.forward_path.mailbox) rcpts.emplace_back(proto::to_string(*r.forward_path.mailbox));
  auto sender = env.mail.reverse_path.is_null() ? std::string() : proto::to_string(*env.mail.reverse_path.mailbox);
  journal::record(outcome.is_positive() ? journal::level::info : journal::level::warning, std::string(listener_name(kind_)),
                  outcome.is_positive() ? "message accepted" : (outcome.is_transient() ? "message deferred" : "message rejected"),
                  {{"id", message_id_}, {"client_ip", client_ip_}, {"sender", sender}, {"recipients", rcpts},
                   {"size", size}, {"reply", proto::format(outcome).substr(0, 200)},
                   {"result", outcome.is_positive() ? "accepted" : (outcome.is_transient() ? "deferred" : "rejected")},
                   {"user", authenticated_as_}});
}

}  // namespace posta::mail::smtp::server
