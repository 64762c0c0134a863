// SMTP envelope addresses: reverse- and forward-paths of MAIL and RCPT.
// RFC 5321 4.1.2 (Path, Mailbox), 4.1.3 (address literals), 4.5.1 (postmaster),
// 4.5.3.1 (size limits), appendix C (source routes); RFC 6531 3.3 (UTF-8).
#pragma once

#include "mail/smtp/proto/reply.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace posta::mail::smtp::proto {

// SECURITY: RFC 5321 4.5.3.1 limits, in octets as sent (quotes included).
inline constexpr std::size_t max_local_part_length = 64;
inline constexpr std::size_t max_domain_length = 255;
inline constexpr std::size_t max_path_length = 256;  // with "<", ">" and any route

struct address {
  std::string local_part;  // quoting removed, case kept exactly
  std::string domain;      // ASCII lower case; "[192.0.2.1]" or "[IPv6:2001:db8::1]" for
                           // literals; empty only for the bare <postmaster> of RCPT
  bool was_quoted = false; // sent as a Quoted-string

  // SECURITY: '%', '!' or '@' in the local part are the old source-routing
  // forms ("user%other@local", "host!user@local", "\"a@b\"@local"); the relay
  // policy must not resolve them to another destination.
  bool has_relay_chars() const noexcept;
  bool is_address_literal() const noexcept { return !domain.empty() && domain.front() == '['; }
  bool is_postmaster() const noexcept;  // local part "postmaster" in any case
  bool has_non_ascii() const noexcept;
  friend bool operator==(address const&, address const&) = default;
};

struct path {
  std::optional<address> mailbox;  // nullopt: the null reverse-path "<>"
  bool had_source_route = false;   // "<@a,@b:user@c>": route accepted and dropped (RFC 5321 C)
  bool is_null() const noexcept { return !mailbox; }
  friend bool operator==(path const&, path const&) = default;
};

enum class path_role {
  reverse,  // MAIL FROM: "<>" allowed; errors are X.1.7
  forward,  // RCPT TO: "<postmaster>" allowed; errors are X.1.3
};

struct path_options {
  path_role role = path_role::forward;
  bool allow_utf8 = false;  // SMTPUTF8 in effect (RFC 6531); else non-ASCII → 553 5.6.7
};

struct path_prefix {
  path value;
  std::size_t length = 0;  // octets of `text` the path took, "<" to ">"
};

// Parses a path at the start of `text`; what follows is left to the caller
// (MAIL/RCPT parameters). Refusals: 501 X.1.x for bad syntax or a path over
// 256 octets, 553 X.1.x for an over-long local part or domain, 553 5.6.7 for
// non-ASCII without SMTPUTF8.
reply_or<path_prefix> parse_path_prefix(std::string_view text, path_options opts);

// The same, but `text` must be exactly one path.
reply_or<path> parse_path(std::string_view text, path_options opts);

// A bare "local@domain" with no angle brackets (ORCPT values, VRFY arguments).
reply_or<address> parse_mailbox(std::string_view text, path_options opts);

// An EHLO/HELO argument: Domain or address-literal, canonicalised as in
// address::domain; nullopt when it is neither.
std::optional<std::string> parse_domain_or_literal(std::string_view text, bool allow_utf8);

// True when `local_part` can be sent unquoted (RFC 5321 Dot-string; UTF-8 allowed).
bool is_dot_string(std::string_view local_part) noexcept;

// Canonical forms: local part quoted only when needed; the path in brackets.
std::string to_string(address const& a);
std::string to_string(path const& p);

}  // namespace posta::mail::smtp::proto
