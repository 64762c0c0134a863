// SMTP command sequencing. RFC 5321 3.3, 4.1.1, 4.1.4, 4.5.3.1.8; RFC 3207 4.2;
// RFC 4954 4-6; RFC 3030 2-4; RFC 1870 6; RFC 6531 3.4; RFC 3461 4.
#include "mail/smtp/proto/state_machine.hpp"

#include "mail/smtp/proto/line_length.hpp"

#include <algorithm>
#include <cstdlib>

namespace posta::mail::smtp::proto {
namespace {

reply need_hello() { return replies::bad_sequence("Send HELO/EHLO first"); }
reply need_ehlo() { return replies::bad_sequence("Send EHLO first"); }
reply need_mail() { return replies::bad_sequence("Need MAIL command"); }
reply not_offered(std::string_view param) {
  return replies::bad_parameter(std::string(param) + " parameter not supported");
}

}  // namespace

state_machine::state_machine(machine_config config)
    : config_(std::move(config)),
      tls_active_(config_.tls_active),
      chunks_(config_.max_message_size) {}

reply state_machine::greeting() const { return replies::greeting(config_.server_name); }

// An operation outcome or a new line while another operation is pending is
// a bug in the session, not hostile input: always-on assert.
void state_machine::expect(pending p) const {
  if (pending_ != p) std::abort();
}

// SECURITY: every 5xx counts towards max_errors. 4xx (greylisting, too many
// recipients) does not: a well-behaved client may meet many of them.
send_reply state_machine::respond(reply r) {
  if (r.is_permanent()) ++errors_;
  return send_reply{std::move(r), false};
}

void state_machine::reset_transaction() {
  in_transaction_ = false;
  in_data_ = false;
  recipient_tried_ = false;
  envelope_ = envelope{};
  chunks_.reset();
}

state_machine::phase state_machine::current_phase() const noexcept {
  if (in_data_) return phase::data;
  if (chunks_.has_started()) return phase::bdat;
  if (in_transaction_) return envelope_.recipients.empty() ? phase::mail : phase::recipients;
  return hello_ == hello::none ? phase::connected : phase::greeted;
}

bool state_machine::is_auth_offered() const noexcept {
  return !config_.auth_mechanisms.empty() && (tls_active_ || !config_.auth_requires_tls);
}

capabilities state_machine::current_capabilities() const {
  capabilities caps;
  caps.pipelining = config_.pipelining;
  // RFC 1870: "SIZE 0" announces that there is no fixed maximum.
  caps.size = config_.max_message_size == UINT64_MAX ? 0 : config_.max_message_size;
  caps.eight_bit_mime = config_.eight_bit_mime;
  caps.smtputf8 = config_.smtputf8;
  caps.starttls = config_.tls_available && !tls_active_;
  if (is_auth_offered()) caps.auth_mechanisms = config_.auth_mechanisms;
  caps.chunking = config_.chunking;
  caps.dsn = config_.dsn;
  caps.help = config_.help;
  return caps;
}

action state_machine::on_line(std::string_view line) {
  expect(pending::none);
  // SECURITY: the error budget is spent; say goodbye instead of parsing.
  if (errors_ >= config_.max_errors)
    return send_reply{replies::too_many_errors(config_.server_name), true};
  if (line.find('\0') != std::string_view::npos) return respond(replies::nul_in_command());
  // SECURITY: RFC 5321 4.5.3.1.4 line lengths, per verb (line_length.hpp).
  // A BDAT line is never that long unless hostile; its chunk cannot be skipped.
  auto const v = command_verb(line);
  if (line.size() > max_command_line(v)) {
    if (v != verb::bdat) return respond(replies::line_too_long());
    ++errors_;
    return send_reply{replies::line_too_long(), true};
  }
  auto cmd = parse_command(line);
  if (cmd) return on_command(*cmd);
  // A BDAT whose size cannot be read leaves chunk octets we cannot skip:
  // they would be read as commands, so the connection must end.
  if (v == verb::bdat) {
    ++errors_;
    return send_reply{cmd.error(), true};
  }
  return respond(cmd.error());
}

action state_machine::on_command(command const& cmd) {
  expect(pending::none);
  return std::visit([this](auto const& c) { return handle(c); }, cmd);
}

send_reply state_machine::on_line_too_long() { return respond(replies::line_too_long()); }

// ---- greeting and session commands -------------------------------------------

// RFC 5321 4.1.4: EHLO/HELO may come at any time and abort the transaction.
action state_machine::handle(helo_cmd const& c) {
  reset_transaction();
  hello_ = c.extended ? hello::ehlo : hello::helo;
  helo_name_ = c.domain;
  if (!c.extended) return respond(replies::helo_ok(config_.server_name));
  return respond(ehlo_reply(config_.server_name, current_capabilities()));
}

action state_machine::handle(rset_cmd const&) {
  reset_transaction();
  return respond(replies::ok());
}

action state_machine::handle(noop_cmd const&) { return respond(replies::ok()); }

action state_machine::handle(quit_cmd const&) {
  return send_reply{replies::closing(config_.server_name), true};
}

action state_machine::handle(help_cmd const&) {
  if (!config_.help) return respond(replies::not_implemented("HELP not available"));
  return respond(replies::help());
}

action state_machine::handle(vrfy_cmd const& c) {
  if (!config_.allow_vrfy) return respond(replies::vrfy_cannot_verify());
  pending_ = pending::lookup;
  return verify_address{c.argument};
}

action state_machine::handle(expn_cmd const& c) {
  if (!config_.allow_expn) return respond(replies::not_implemented("EXPN not supported"));
  pending_ = pending::lookup;
  return expand_list{c.argument};
}

send_reply state_machine::on_lookup_outcome(reply r) {
  expect(pending::lookup);
  pending_ = pending::none;
  return respond(std::move(r));
}

// ---- STARTTLS and AUTH ----------------------------------------------------------

action state_machine::handle(starttls_cmd const&) {
  if (tls_active_) return respond(replies::bad_sequence("TLS already active"));
  if (!config_.tls_available) return respond(replies::not_implemented("STARTTLS not supported"));
  // COMPAT(gsasl): RFC 3207 does not require EHLO before STARTTLS, and some
  // clients start TLS right after the greeting.
  if (in_transaction_) return respond(replies::bad_sequence("STARTTLS not allowed during a mail transaction"));
  pending_ = pending::tls;
  return start_tls{replies::ready_to_start_tls()};
}

// RFC 3207 4.2: forget everything learnt before TLS: greeting, identity, transaction.
void state_machine::on_tls_started() {
  expect(pending::tls);
  pending_ = pending::none;
  tls_active_ = true;
  hello_ = hello::none;
  helo_name_.clear();
  authenticated_ = false;
  reset_transaction();
}

action state_machine::handle(auth_cmd const& c) {
  if (config_.auth_mechanisms.empty()) return respond(replies::bad_sequence("Authentication not enabled"));
  if (hello_ != hello::ehlo) return respond(need_ehlo());
  if (authenticated_) return respond(replies::bad_sequence("Already authenticated"));
  if (in_transaction_) return respond(replies::bad_sequence("AUTH not allowed during a mail transaction"));
  // SECURITY: no credentials over cleartext (RFC 4954 6, 538).
  if (!is_auth_offered()) return respond(replies::auth_needs_encryption());
  auto const& mechs = config_.auth_mechanisms;
  if (std::find(mechs.begin(), mechs.end(), c.mechanism) == mechs.end())
    return respond(replies::auth_mechanism_unknown());
  pending_ = pending::auth;
  return authenticate{c};
}

send_reply state_machine::on_auth_outcome(reply r) {
  expect(pending::auth);
  pending_ = pending::none;
  if (r.is_positive()) authenticated_ = true;
  return respond(std::move(r));
}

// ---- the mail transaction ---------------------------------------------------------

// Parameters are only meaningful when their extension was advertised (RFC
// 5321 4.1.1.11: 555 otherwise). BINARYMIME never is.
std::optional<reply> state_machine::check_mail_params(mail_params const& p) const {
  if (!p.is_empty() && hello_ != hello::ehlo) return replies::bad_parameter("Parameters need EHLO");
  if (p.body == body_type::binary_mime) return not_offered("BODY=BINARYMIME");
  if (p.body == body_type::eight_bit_mime && !config_.eight_bit_mime) return not_offered("BODY=8BITMIME");
  if (p.smtputf8 && !config_.smtputf8) return not_offered("SMTPUTF8");
  if ((p.ret || p.envid) && !config_.dsn) return not_offered(p.ret ? "RET" : "ENVID");
  if (p.auth && !is_auth_offered()) return not_offered("AUTH");
  // SECURITY: RFC 1870 6: refuse early what would be refused after the upload.
  if (p.size && *p.size > config_.max_message_size) return replies::message_too_big();
  return std::nullopt;
}

action state_machine::handle(mail_cmd const& c) {
  if (hello_ == hello::none) return respond(need_hello());
  if (in_transaction_) return respond(replies::bad_sequence("Nested MAIL command"));
  if (config_.require_tls && !tls_active_) return respond(replies::tls_required());
  if (config_.require_auth && !authenticated_) return respond(replies::auth_required());
  if (auto refusal = check_mail_params(c.params)) return respond(std::move(*refusal));
  pending_ = pending::sender;
  pending_mail_ = c;
  return check_sender{c};
}

send_reply state_machine::on_sender_outcome(reply r) {
  expect(pending::sender);
  pending_ = pending::none;
  if (r.is_positive()) {
    in_transaction_ = true;
    envelope_.mail = std::move(pending_mail_);
  }
  return respond(std::move(r));
}

action state_machine::handle(rcpt_cmd const& c) {
  if (!in_transaction_) return respond(replies::bad_sequence("Need MAIL before RCPT"));
  if (chunks_.has_started()) return respond(replies::bad_sequence("RCPT not allowed during BDAT"));
  auto const& p = c.params;
  if (!p.is_empty() && hello_ != hello::ehlo) return respond(replies::bad_parameter("Parameters need EHLO"));
  if ((p.notify || p.orcpt) && !config_.dsn) return respond(not_offered(p.notify ? "NOTIFY" : "ORCPT"));
  // RFC 6531 3.4: non-ASCII recipients only in an SMTPUTF8 transaction.
  if (c.forward_path.mailbox && c.forward_path.mailbox->has_non_ascii() &&
      !envelope_.mail.params.smtputf8)
    return respond(replies::non_ascii_address());
  // SECURITY: the recipient bound; only accepted recipients count.
  if (envelope_.recipients.size() >= config_.max_recipients)
    return respond(replies::too_many_recipients());
  recipient_tried_ = true;
  pending_ = pending::recipient;
  pending_rcpt_ = c;
  return check_recipient{c};
}

send_reply state_machine::on_recipient_outcome(reply r) {
  expect(pending::recipient);
  pending_ = pending::none;
  if (r.is_positive()) envelope_.recipients.push_back(std::move(pending_rcpt_));
  return respond(std::move(r));
}

// RFC 5321 3.3: without an accepted recipient DATA gets 503 or, when every
// RCPT was refused, 554 "no valid recipients".
std::optional<reply> state_machine::check_data_allowed() const {
  if (!in_transaction_) return need_mail();
  if (!envelope_.recipients.empty()) return std::nullopt;
  return recipient_tried_ ? replies::no_valid_recipients() : replies::bad_sequence("Need RCPT command");
}

action state_machine::handle(data_cmd const&) {
  if (chunks_.has_started()) return respond(replies::bad_sequence("DATA not allowed after BDAT"));
  if (auto refusal = check_data_allowed()) return respond(std::move(*refusal));
  in_data_ = true;
  pending_ = pending::data;
  return receive_data{replies::start_mail_input(), config_.max_message_size};
}

action state_machine::on_data_end(data_decoder const& decoder) {
  expect(pending::data);
  if (!decoder.is_done()) std::abort();  // the session stopped feeding too early: a bug
  if (decoder.is_oversize()) {
    pending_ = pending::none;
    reset_transaction();
    return respond(replies::message_too_big());
  }
  pending_ = pending::message;
  envelope_.size = decoder.octets();
  return store_message{envelope_};
}

send_reply state_machine::on_message_outcome(reply r) {
  expect(pending::message);
  pending_ = pending::none;
  reset_transaction();  // RFC 5321 4.1.1.4: the transaction ends either way
  return respond(std::move(r));
}

// ---- BDAT (RFC 3030) ------------------------------------------------------------------

// RFC 3030 2: a refused chunk is still read (and dropped) so the octets
// after it are commands again; the refusal is sent after that.
action state_machine::reject_chunk(std::uint64_t size, reply why) {
  pending_ = pending::chunk;
  chunk_error_ = std::move(why);
  return receive_chunk{size, false};
}

action state_machine::handle(bdat_cmd const& c) {
  if (!config_.chunking) return reject_chunk(c.size, replies::not_implemented("BDAT not supported"));
  if (hello_ != hello::ehlo) return reject_chunk(c.size, need_ehlo());
  if (auto refusal = check_data_allowed()) return reject_chunk(c.size, std::move(*refusal));
  if (chunks_.add(c.size, c.last) != bdat_accounting::verdict::accept)
    return reject_chunk(c.size, replies::message_too_big());
  pending_ = pending::chunk;
  chunk_size_ = c.size;
  chunk_error_.reset();
  return receive_chunk{c.size, true, c.last};
}

action state_machine::on_chunk_done() {
  expect(pending::chunk);
  pending_ = pending::none;
  if (chunk_error_) {
    // SECURITY: after a too-big chunk the message is dead (RFC 3030 4: the
    // client must RSET); later chunks find no transaction and are dropped.
    if (chunks_.is_oversize()) reset_transaction();
    auto why = std::move(*chunk_error_);
    chunk_error_.reset();
    return respond(std::move(why));
  }
  if (!chunks_.is_complete()) return respond(replies::chunk_received(chunk_size_));
  pending_ = pending::message;
  envelope_.size = chunks_.total();
  envelope_.via_bdat = true;
  return store_message{envelope_};
}

}  // namespace posta::mail::smtp::proto
