// The SMTP server's command sequencing, pure: a command line in, an action
// out ("send this reply" or "run this operation and tell me the outcome").
// RFC 5321 3.1-3.3, 4.1.1, 4.1.4 (order of commands), 4.5.3.1.8 (recipients);
// RFC 3207 4.2 (STARTTLS reset), RFC 4954 4 (AUTH rules), RFC 3030 (BDAT),
// RFC 1870 (SIZE), RFC 6531 3.4 (SMTPUTF8), RFC 3461 (DSN).
//
// The session loop (mail/smtp/server) does only this:
//   greeting() → write; then per line from the line_splitter: on_line(line)
//   → visit the action: write a send_reply (close after it if asked), or run
//   the operation and pass its outcome to the matching on_*() call, which
//   returns what to write. During receive_data/receive_chunk the bytes go to
//   the data_decoder / the chunk sink instead of the splitter.
#pragma once

#include "mail/smtp/proto/bdat.hpp"
#include "mail/smtp/proto/command.hpp"
#include "mail/smtp/proto/data_decoder.hpp"
#include "mail/smtp/proto/reply.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace posta::mail::smtp::proto {

struct machine_config {
  std::string server_name = "localhost";
  // SECURITY: the largest message accepted, in octets (SIZE, DATA and BDAT).
  std::uint64_t max_message_size = 50ull * 1024 * 1024;
  // SECURITY: accepted recipients per message; RFC 5321 4.5.3.1.8 asks that
  // at least 100 be accepted, so lower it only for a reason.
  std::size_t max_recipients = 100;
  // SECURITY: after this many 5xx replies the next command gets 421 and the
  // connection is closed (bounds dictionary attacks and password guessing).
  std::size_t max_errors = 20;
  bool tls_available = false;  // a certificate is configured: STARTTLS may be offered
  bool tls_active = false;     // implicit TLS (SMTPS on 465)
  std::vector<std::string> auth_mechanisms;  // upper case; empty: no AUTH on this listener
  // SECURITY: plaintext passwords only inside TLS: AUTH offered after STARTTLS only.
  bool auth_requires_tls = true;
  bool require_tls = false;   // SECURITY: MAIL refused with 530 before STARTTLS
  bool require_auth = false;  // SECURITY: submission: MAIL refused with 530 before AUTH
  bool pipelining = true;
  bool eight_bit_mime = true;
  bool smtputf8 = true;
  bool chunking = true;
  bool dsn = true;
  bool help = true;
  bool allow_vrfy = false;  // false: VRFY answers 252 without looking anything up
  bool allow_expn = false;  // false: EXPN answers 502
};

// The transaction handed to the session for storage.
struct envelope {
  mail_cmd mail;
  std::vector<rcpt_cmd> recipients;  // accepted ones only, in order
  std::uint64_t size = 0;            // message octets (decoded DATA or sum of BDAT chunks)
  bool via_bdat = false;
};

// ---- actions ---------------------------------------------------------------
struct send_reply {
  reply response;
  bool close = false;  // close the connection once the reply is written
};
struct check_sender {  // → on_sender_outcome(reply)
  mail_cmd mail;
};
struct check_recipient {  // → on_recipient_outcome(reply)
  rcpt_cmd rcpt;
};
struct receive_data {  // write go_ahead, feed a data_decoder(max_size) → on_data_end(decoder)
  reply go_ahead;
  std::uint64_t max_size = 0;
};
struct receive_chunk {  // read exactly `size` octets, keep them only if `keep` → on_chunk_done()
  std::uint64_t size = 0;
  bool keep = false;
  bool last = false;  // BDAT … LAST: the message ends with this chunk (RFC 3030 2)
};
struct store_message {  // DURABILITY: store, fsync, commit, then → on_message_outcome(reply)
  envelope message;
};
struct start_tls {  // write go_ahead, handshake → on_tls_started() (close on failure)
  // SECURITY: bytes pipelined after STARTTLS must be discarded unread before
  // the handshake (command injection, CVE-2011-0411).
  reply go_ahead;
};
struct authenticate {  // run the SASL exchange (334 …) → on_auth_outcome(reply)
  auth_cmd auth;
};
struct verify_address {  // → on_lookup_outcome(reply)
  std::string argument;
};
struct expand_list {  // → on_lookup_outcome(reply)
  std::string argument;
};

using action = std::variant<send_reply, check_sender, check_recipient, receive_data, receive_chunk,
                            store_message, start_tls, authenticate, verify_address, expand_list>;

class state_machine {
 public:
  enum class phase {
    connected,    // no HELO/EHLO yet (also right after STARTTLS)
    greeted,      // no transaction
    mail,         // MAIL accepted, no recipient yet
    recipients,   // at least one recipient accepted
    data,         // DATA accepted, message bytes flowing
    bdat,         // BDAT chunks flowing (non-LAST chunk seen)
  };

  explicit state_machine(machine_config config);

  reply greeting() const;  // 220; the session may send its own refusal instead

  // One command line without its line ending. Must not be called while an
  // operation is pending (a bug: aborts).
  action on_line(std::string_view line);
  action on_command(command const& cmd);
  send_reply on_line_too_long();  // the splitter reported an overlong line

  // Outcomes of the operations. A positive reply means accepted.
  send_reply on_sender_outcome(reply r);
  send_reply on_recipient_outcome(reply r);
  action on_data_end(data_decoder const& decoder);
  action on_chunk_done();
  send_reply on_message_outcome(reply r);
  void on_tls_started();
  send_reply on_auth_outcome(reply r);
  send_reply on_lookup_outcome(reply r);

  phase current_phase() const noexcept;
  bool has_pending_operation() const noexcept { return pending_ != pending::none; }
  bool is_tls_active() const noexcept { return tls_active_; }
  bool is_authenticated() const noexcept { return authenticated_; }
  bool is_auth_offered() const noexcept;
  std::string const& helo_name() const noexcept { return helo_name_; }
  envelope const& current_envelope() const noexcept { return envelope_; }
  std::size_t error_count() const noexcept { return errors_; }
  capabilities current_capabilities() const;  // what EHLO would advertise now

 private:
  enum class pending { none, sender, recipient, data, chunk, message, tls, auth, lookup };
  enum class hello { none, helo, ehlo };

  action handle(helo_cmd const& c);
  action handle(mail_cmd const& c);
  action handle(rcpt_cmd const& c);
  action handle(data_cmd const& c);
  action handle(bdat_cmd const& c);
  action handle(rset_cmd const& c);
  action handle(noop_cmd const& c);
  action handle(quit_cmd const& c);
  action handle(help_cmd const& c);
  action handle(vrfy_cmd const& c);
  action handle(expn_cmd const& c);
  action handle(starttls_cmd const& c);
  action handle(auth_cmd const& c);

  std::optional<reply> check_mail_params(mail_params const& p) const;
  std::optional<reply> check_data_allowed() const;
  action reject_chunk(std::uint64_t size, reply why);
  send_reply respond(reply r);
  void expect(pending p) const;
  void reset_transaction();

  machine_config config_;
  hello hello_ = hello::none;
  std::string helo_name_;
  bool tls_active_;
  bool authenticated_ = false;
  bool in_transaction_ = false;
  bool in_data_ = false;
  bool recipient_tried_ = false;  // some RCPT reached the policy (for 554 vs 503)
  envelope envelope_;
  bdat_accounting chunks_;
  pending pending_ = pending::none;
  mail_cmd pending_mail_;
  rcpt_cmd pending_rcpt_;
  std::uint64_t chunk_size_ = 0;
  std::optional<reply> chunk_error_;
  std::size_t errors_ = 0;
};

}  // namespace posta::mail::smtp::proto
