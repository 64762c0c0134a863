// POP3 sequencing (RFC 1939 3-7, RFC 2449, RFC 2595 4, RFC 5034).
#include "mail/pop3/proto/state_machine.hpp"

#include "mail/pop3/proto/limits.hpp"

#include <cstdlib>

namespace posta::mail::pop3::proto {
namespace {

void require(bool condition) {
  if (!condition) std::abort();  // a bug in the session loop
}

std::string count_and_octets(std::size_t count, std::int64_t octets) {
  return std::to_string(count) + " " + std::to_string(octets);
}

bool takes_long_line(std::string_view line) {
  auto k = keyword_of(line);
  return k == "AUTH" || k == "PASS";
}

}  // namespace

state_machine::state_machine(machine_config config) : config_(std::move(config)) {}

reply state_machine::greeting() const { return ok(config_.implementation + " POP3 server ready"); }

send_reply state_machine::error(std::string text, resp_code code) {
  if (++errors_ >= config_.max_errors) {
    phase_ = phase::closed;
    return {err("Too many errors, closing connection"), true};
  }
  return {err(std::move(text), code), false};
}

reply state_machine::capabilities() const {
  std::vector<std::string> caps{"TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING"};
  if (phase_ == phase::authorization) {
    // RFC 2595 4 / RFC 2449 6.8: offer passwords only where they may be sent.
    if (may_authenticate_in_plaintext()) {
      caps.emplace_back("USER");
      caps.emplace_back("SASL PLAIN");
    }
    if (config_.tls_available && !config_.tls_active) caps.emplace_back("STLS");
  }
  caps.push_back("IMPLEMENTATION " + config_.implementation);
  return ok_lines("Capability list follows", std::move(caps));
}

action state_machine::on_line(std::string_view line) {
  require(pending_ == pending::none && phase_ != phase::closed && phase_ != phase::update);
  if (phase_ == phase::sasl) return sasl_response(line);
  // SECURITY: RFC 2449 4 bounds commands to 255 octets; AUTH and PASS (long
  // passwords, SASL initial responses) get the reader's longer bound.
  if (line.size() > max_command_line && !takes_long_line(line)) {
    user_.reset();
    return error("Line too long");
  }
  auto p = parse_command(line);
  if (auto* e = std::get_if<syntax_error>(&p)) {
    user_.reset();
    return error(e->text);
  }
  return on_command(std::get<command>(p));
}

send_reply state_machine::on_line_too_long() {
  require(pending_ == pending::none);
  user_.reset();
  if (phase_ == phase::sasl) phase_ = phase::authorization;
  return error("Line too long");
}

action state_machine::on_command(command const& cmd) {
  // Commands of every state.
  if (cmd.what == verb::capa) {
    user_.reset();
    return send_reply{capabilities()};
  }
  if (cmd.what == verb::noop && phase_ == phase::transaction) return send_reply{ok("")};
  if (cmd.what == verb::quit) return quit();
  if (phase_ == phase::authorization) return authorization(cmd);
  return transaction(cmd);
}

action state_machine::quit() {
  if (phase_ == phase::authorization) {
    phase_ = phase::closed;
    return send_reply{ok("Bye"), true};
  }
  // RFC 1939 6: QUIT in TRANSACTION enters UPDATE.
  phase_ = phase::update;
  auto uids = drop_.deleted_uids();
  if (uids.empty()) {
    phase_ = phase::closed;
    return send_reply{ok("Bye"), true};
  }
  pending_ = pending::update;
  return commit_update{std::move(uids)};
}

action state_machine::authorization(command const& cmd) {
  auto user = std::move(user_);
  user_.reset();
  switch (cmd.what) {
    case verb::stls:
      if (config_.tls_active) return error("Already using TLS");
      if (!config_.tls_available) return error("TLS not available");
      pending_ = pending::tls;
      return start_tls{ok("Begin TLS negotiation")};
    case verb::user:
      // SECURITY: RFC 2595 2.2 / 4: no password in plaintext outside TLS.
      if (!may_authenticate_in_plaintext())
        return error("Plaintext authentication disallowed on non-secure connections; use STLS", resp_code::auth);
      user_ = cmd.text;
      return send_reply{ok("Send your password")};
    case verb::pass:
      if (!user) return error("USER first");
      pending_ = pending::login;
      return check_password{std::move(*user), cmd.text};
    case verb::auth:
      return auth(cmd);
    default:
      return error("Not authenticated yet");
  }
}

action state_machine::auth(command const& cmd) {
  bool const allowed = may_authenticate_in_plaintext();
  if (cmd.text.empty()) {
    // COMPAT(Outlook): a bare AUTH asks for the mechanism list.
    std::vector<std::string> mechs;
    if (allowed) mechs.emplace_back("PLAIN");
    return send_reply{ok_lines("Methods supported", std::move(mechs))};
  }
  if (cmd.text != "PLAIN") return error("Unsupported authentication mechanism");
  if (!allowed)
    return error("Plaintext authentication disallowed on non-secure connections; use STLS", resp_code::auth);
  if (cmd.initial_response) {
    pending_ = pending::login;
    return check_sasl_plain{*cmd.initial_response};
  }
  // RFC 5034 4: PLAIN has no server challenge: an empty one.
  phase_ = phase::sasl;
  return send_continuation{""};
}

action state_machine::sasl_response(std::string_view line) {
  phase_ = phase::authorization;
  if (line == "*") return error("Authentication cancelled");
  pending_ = pending::login;
  return check_sasl_plain{std::string(line)};
}

action state_machine::on_login_outcome(login_verdict v) {
  require(pending_ == pending::login);
  pending_ = pending::none;
  switch (v) {
    case login_verdict::ok:
      pending_ = pending::maildrop;
      return open_maildrop{};
    case login_verdict::unavailable:
      return error("Temporary authentication failure, try again later", resp_code::sys_temp);
    case login_verdict::expired:
      // RFC 3206 [AUTH]: a problem with the credentials, here named.
      return error("Password expired: change it, then log in again", resp_code::auth);
    case login_verdict::rejected:
      break;
  }
  if (++auth_failures_ >= config_.max_auth_failures) {
    phase_ = phase::closed;
    return send_reply{err("Authentication failed, closing connection", resp_code::auth), true};
  }
  return error("Authentication failed", resp_code::auth);
}

send_reply state_machine::on_maildrop_opened(maildrop drop) {
  require(pending_ == pending::maildrop);
  pending_ = pending::none;
  drop_ = std::move(drop);
  phase_ = phase::transaction;
  return {ok("Logged in, " + std::to_string(drop_.listed_count()) + " messages (" +
             std::to_string(drop_.listed_octets()) + " octets)")};
}

send_reply state_machine::on_maildrop_in_use() {
  require(pending_ == pending::maildrop);
  pending_ = pending::none;
  // RFC 2449 8.1.1: not a wrong password; the client may log in again later
  // (or QUIT). Not counted as an error of the client.
  return {err("Maildrop is locked by another POP3 session", resp_code::in_use)};
}

send_reply state_machine::on_maildrop_failed() {
  require(pending_ == pending::maildrop);
  pending_ = pending::none;
  // RFC 2449 8.1.2 / RFC 3206: the user did nothing wrong; come back later.
  phase_ = phase::closed;
  return {err("Mailbox temporarily unavailable, try again later", resp_code::sys_temp), true};
}

void state_machine::on_tls_started() {
  require(pending_ == pending::tls);
  pending_ = pending::none;
  config_.tls_active = true;
  user_.reset();
}

std::optional<send_reply> state_machine::check_message(std::optional<std::uint32_t> n) {
  require(n.has_value());
  if (drop_.is_deleted(*n)) return error("Message " + std::to_string(*n) + " already deleted");
  if (!drop_.is_listed(*n)) return error("No such message");
  return std::nullopt;
}

action state_machine::transaction(command const& cmd) {
  switch (cmd.what) {
    case verb::stat:
      return send_reply{ok(count_and_octets(drop_.listed_count(), drop_.listed_octets()))};
    case verb::list: return list(cmd);
    case verb::uidl: return uidl(cmd);
    case verb::retr:
    case verb::top: return retrieve(cmd);
    case verb::dele: return dele(cmd);
    case verb::rset:
      drop_.reset();
      return send_reply{ok(count_and_octets(drop_.listed_count(), drop_.listed_octets()))};
    default:
      return error("Command not valid in TRANSACTION state");
  }
}

action state_machine::list(command const& cmd) {
  if (cmd.message) {
    if (auto e = check_message(cmd.message)) return *e;
    return send_reply{ok(std::to_string(*cmd.message) + " " + std::to_string(drop_.at(*cmd.message).size))};
  }
  return send_listing{listing_kind::sizes, ok(count_and_octets(drop_.listed_count(), drop_.listed_octets()))};
}

action state_machine::uidl(command const& cmd) {
  if (cmd.message) {
    if (auto e = check_message(cmd.message)) return *e;
    return send_reply{ok(std::to_string(*cmd.message) + " " + drop_.unique_id(*cmd.message))};
  }
  return send_listing{listing_kind::unique_ids, ok("")};
}

action state_machine::retrieve(command const& cmd) {
  if (auto e = check_message(cmd.message)) return *e;
  auto const& entry = drop_.at(*cmd.message);
  send_message m;
  m.uid = entry.uid;
  m.size = entry.size;
  if (cmd.what == verb::top) {
    m.top_lines = cmd.lines;
    m.status = ok("Top of message follows");
  } else {
    m.status = ok(std::to_string(entry.size) + " octets");
  }
  pending_ = pending::message;
  return m;
}

void state_machine::on_message_sent() {
  require(pending_ == pending::message);
  pending_ = pending::none;
}

send_reply state_machine::on_message_failed(bool gone) {
  require(pending_ == pending::message);
  pending_ = pending::none;
  // Another session (IMAP, or a second POP3 one) expunged it since login.
  if (gone) return {err("Message was removed by another session")};
  return {err("Message temporarily unavailable, try again later", resp_code::sys_temp)};
}

action state_machine::dele(command const& cmd) {
  if (auto e = check_message(cmd.message)) return *e;
  drop_.mark_deleted(*cmd.message);
  return send_reply{ok("Message " + std::to_string(*cmd.message) + " deleted")};
}

send_reply state_machine::on_update_outcome(bool committed) {
  require(pending_ == pending::update);
  pending_ = pending::none;
  phase_ = phase::closed;
  if (!committed)
    return {err("Some deleted messages were not removed, try again later", resp_code::sys_temp), true};
  return {ok("Bye"), true};
}

}  // namespace posta::mail::pop3::proto
