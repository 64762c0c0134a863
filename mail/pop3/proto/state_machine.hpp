// The POP3 server's command sequencing, pure: RFC 1939 3-6 (AUTHORIZATION,
// TRANSACTION and UPDATE states), RFC 2449 (CAPA, RESP-CODES,
// AUTH-RESP-CODE, PIPELINING), RFC 2595 4 (STLS), RFC 5034 (AUTH PLAIN with
// an initial response or a continuation). A line in, an action out.
//
// The session loop (mail/pop3/server) does only this: greeting() → write;
// per line: on_line(line) → visit the action: write a send_reply (close after
// it if asked), or run the operation and pass its outcome to the matching
// on_*() call, which returns what to write next.
#pragma once

#include "mail/pop3/proto/command.hpp"
#include "mail/pop3/proto/listing.hpp"
#include "mail/pop3/proto/maildrop.hpp"
#include "mail/pop3/proto/reply.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace posta::mail::pop3::proto {

struct machine_config {
  bool tls_available = false;  // a certificate is configured: STLS may be offered
  bool tls_active = false;     // implicit TLS (POP3S)
  // SECURITY: USER/PASS and AUTH PLAIN only inside TLS unless this is set
  // (loopback with pop3.allow_plaintext_auth_on_loopback).
  bool plaintext_auth_without_tls = false;
  // SECURITY: after this many -ERR to bad or misplaced commands the session
  // is closed (a client sending garbage is not served forever).
  std::size_t max_errors = 20;
  // SECURITY: failed logins per connection before it is closed (the
  // authenticator throttles across connections).
  std::size_t max_auth_failures = 3;
  std::string implementation = "Posta";
};

// ---- actions ---------------------------------------------------------------
struct send_reply {
  reply response;
  bool close = false;  // close the connection once the reply is written
};
// Write the go-ahead, discard buffered input, handshake → on_tls_started()
// (close on failure). SECURITY: CVE-2011-0411, as SMTP's STARTTLS.
struct start_tls {
  reply go_ahead;
};
// USER/PASS → on_login_outcome().
struct check_password {
  std::string user;
  std::string password;
};
// AUTH PLAIN: the client's base64 response (RFC 4616) → on_login_outcome().
struct check_sasl_plain {
  std::string response;
};
// Write "+ <challenge>"; the client's next line goes to on_line() as usual.
struct send_continuation {
  std::string challenge;  // base64, empty for PLAIN
};
// The login succeeded: take the maildrop lock, then snapshot INBOX →
// on_maildrop_opened() / on_maildrop_in_use() / on_maildrop_failed().
struct open_maildrop {};
// LIST or UIDL of the whole maildrop: write `status`, then the scan lines of
// current_maildrop() in bounded pieces (append_listing), then ".".
struct send_listing {
  listing_kind kind = listing_kind::sizes;
  reply status;
};
// RETR and TOP: write `status`, then the message of that UID, encoded by a
// message_encoder(top_lines), then on_message_sent(); or on_message_failed().
struct send_message {
  std::uint32_t uid = 0;
  std::int64_t size = 0;
  std::optional<std::uint32_t> top_lines;
  reply status;
};
// QUIT in TRANSACTION (RFC 1939 6): remove these UIDs in one transaction →
// on_update_outcome(). DURABILITY: +OK only after the commit.
struct commit_update {
  std::vector<std::uint32_t> uids;
};

using action = std::variant<send_reply, start_tls, check_password, check_sasl_plain, send_continuation,
                            open_maildrop, send_listing, send_message, commit_update>;

// expired: the password was right but must be changed (a directory's answer).
enum class login_verdict { ok, rejected, unavailable, expired };

class state_machine {
 public:
  enum class phase { authorization, sasl, transaction, update, closed };

  explicit state_machine(machine_config config);

  reply greeting() const;

  // One line without its CRLF. Must not be called while an operation is
  // pending (a bug: aborts).
  action on_line(std::string_view line);
  send_reply on_line_too_long();  // the line reader skipped an overlong line

  action on_login_outcome(login_verdict v);
  send_reply on_maildrop_opened(maildrop drop);
  send_reply on_maildrop_failed();
  // RFC 1939 4: the lock is held by another session; back to AUTHORIZATION.
  send_reply on_maildrop_in_use();
  // After send_message, before its status was written: the message is gone
  // (another session expunged it), or could not be read now (temporary).
  send_reply on_message_failed(bool gone);
  void on_message_sent();           // after send_message was written whole
  void on_tls_started();
  send_reply on_update_outcome(bool committed);

  phase current_phase() const noexcept { return phase_; }
  bool has_pending_operation() const noexcept { return pending_ != pending::none; }
  bool is_tls_active() const noexcept { return config_.tls_active; }
  bool may_authenticate_in_plaintext() const noexcept { return config_.tls_active || config_.plaintext_auth_without_tls; }
  maildrop const& current_maildrop() const noexcept { return drop_; }
  std::size_t error_count() const noexcept { return errors_; }
  reply capabilities() const;  // the CAPA response of this moment

 private:
  enum class pending { none, tls, login, maildrop, message, update };

  action on_command(command const& cmd);
  action authorization(command const& cmd);
  action transaction(command const& cmd);
  action auth(command const& cmd);
  action sasl_response(std::string_view line);
  action list(command const& cmd);
  action uidl(command const& cmd);
  action retrieve(command const& cmd);
  action dele(command const& cmd);
  action quit();
  // A -ERR that counts towards max_errors; the last one closes.
  send_reply error(std::string text, resp_code code = resp_code::none);
  std::optional<send_reply> check_message(std::optional<std::uint32_t> n);

  machine_config config_;
  phase phase_ = phase::authorization;
  pending pending_ = pending::none;
  std::optional<std::string> user_;  // USER given, PASS expected next
  maildrop drop_;
  std::size_t errors_ = 0;
  std::size_t auth_failures_ = 0;
};

}  // namespace posta::mail::pop3::proto
