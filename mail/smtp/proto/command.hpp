// SMTP command lines parsed into typed commands, with their ESMTP parameters.
// RFC 5321 4.1.1 (commands), 4.1.2 (grammar); RFC 1870 (SIZE), RFC 6152 / 3030
// (BODY, BDAT), RFC 6531 (SMTPUTF8), RFC 3461 4 (RET, ENVID, NOTIFY, ORCPT),
// RFC 4954 4-5 (AUTH command and AUTH= parameter), RFC 3207 (STARTTLS).
#pragma once

#include "mail/smtp/proto/address.hpp"
#include "mail/smtp/proto/reply.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace posta::mail::smtp::proto {

enum class body_type { seven_bit, eight_bit_mime, binary_mime };
enum class dsn_return { full, headers };

struct dsn_notify {  // NOTIFY=NEVER or any of SUCCESS, FAILURE, DELAY
  bool never = false;
  bool success = false;
  bool failure = false;
  bool delay = false;
  friend bool operator==(dsn_notify const&, dsn_notify const&) = default;
};

struct original_recipient {  // ORCPT=addr-type;xtext
  std::string address_type;  // as sent, e.g. "rfc822" (compare case-insensitively)
  std::string address;       // xtext-decoded
  friend bool operator==(original_recipient const&, original_recipient const&) = default;
};

struct mail_params {
  std::optional<std::uint64_t> size;  // saturates at UINT64_MAX: any absurd size is "too big"
  std::optional<body_type> body;
  bool smtputf8 = false;
  std::optional<dsn_return> ret;
  std::optional<std::string> envid;  // xtext-decoded
  std::optional<std::string> auth;   // xtext-decoded; "<>" when the submitter is unknown
  bool is_empty() const noexcept {
    return !size && !body && !smtputf8 && !ret && !envid && !auth;
  }
  friend bool operator==(mail_params const&, mail_params const&) = default;
};

struct rcpt_params {
  std::optional<dsn_notify> notify;
  std::optional<original_recipient> orcpt;
  bool is_empty() const noexcept { return !notify && !orcpt; }
  friend bool operator==(rcpt_params const&, rcpt_params const&) = default;
};

struct helo_cmd {
  bool extended = false;   // EHLO rather than HELO
  std::string domain;      // canonical (lower case) when strict_syntax, else as sent
  // COMPAT(client): many hosts announce names that are not domains
  // ("my_pc", a bare IP); they are accepted and flagged for the policy.
  bool strict_syntax = false;
  friend bool operator==(helo_cmd const&, helo_cmd const&) = default;
};
struct mail_cmd {
  path reverse_path;
  mail_params params;
  friend bool operator==(mail_cmd const&, mail_cmd const&) = default;
};
struct rcpt_cmd {
  path forward_path;
  rcpt_params params;
  friend bool operator==(rcpt_cmd const&, rcpt_cmd const&) = default;
};
struct data_cmd {
  friend bool operator==(data_cmd const&, data_cmd const&) = default;
};
struct bdat_cmd {
  std::uint64_t size = 0;
  bool last = false;
  friend bool operator==(bdat_cmd const&, bdat_cmd const&) = default;
};
struct rset_cmd {
  friend bool operator==(rset_cmd const&, rset_cmd const&) = default;
};
struct noop_cmd {
  std::string argument;
  friend bool operator==(noop_cmd const&, noop_cmd const&) = default;
};
struct quit_cmd {
  friend bool operator==(quit_cmd const&, quit_cmd const&) = default;
};
struct help_cmd {
  std::string argument;
  friend bool operator==(help_cmd const&, help_cmd const&) = default;
};
struct vrfy_cmd {
  std::string argument;
  friend bool operator==(vrfy_cmd const&, vrfy_cmd const&) = default;
};
struct expn_cmd {
  std::string argument;
  friend bool operator==(expn_cmd const&, expn_cmd const&) = default;
};
struct starttls_cmd {
  friend bool operator==(starttls_cmd const&, starttls_cmd const&) = default;
};
struct auth_cmd {
  std::string mechanism;  // upper case
  // Base64 text as sent; "=" (RFC 4954 4: an empty initial response) becomes "".
  std::optional<std::string> initial_response;
  friend bool operator==(auth_cmd const&, auth_cmd const&) = default;
};

using command = std::variant<helo_cmd, mail_cmd, rcpt_cmd, data_cmd, bdat_cmd, rset_cmd, noop_cmd,
                             quit_cmd, help_cmd, vrfy_cmd, expn_cmd, starttls_cmd, auth_cmd>;

enum class verb { unknown, helo, ehlo, mail, rcpt, data, bdat, rset, noop, quit, help, vrfy, expn,
                  starttls, auth };

// The verb of a line, whether or not its arguments parse (case-insensitive).
verb command_verb(std::string_view line) noexcept;

// Parses one command line without its CRLF. Refusals: 500 5.5.2 empty line,
// 500 5.5.1 unknown verb, 501 5.5.2 / 5.5.4 bad arguments, 501/553 bad paths
// (see address.hpp), 555 5.5.4 unknown or repeated parameter, 553 5.6.7 a
// non-ASCII reverse-path without SMTPUTF8. Non-ASCII forward-paths are
// accepted here: whether SMTPUTF8 is in effect is the state machine's to say.
reply_or<command> parse_command(std::string_view line);

}  // namespace posta::mail::smtp::proto
