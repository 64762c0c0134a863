// POP3 responses: the typed value and its wire form. RFC 1939 3 (status
// indicator, multi-line responses with byte-stuffing, 512 octets per
// response line), RFC 2449 8 (RESP-CODES: "[CODE] " after the indicator),
// RFC 3206 (SYS/TEMP, SYS/PERM, AUTH), RFC 5034 (the "+ " continuation).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace posta::mail::pop3::proto {

// RFC 2449 8.1 and RFC 3206 4-5. IN-USE: another POP3 session holds the
// maildrop lock (RFC 1939 4). LOGIN-DELAY is not used: logins are throttled
// by the authenticator, not delayed.
enum class resp_code { none, auth, sys_temp, sys_perm, in_use };

struct reply {
  bool ok = true;
  resp_code code = resp_code::none;
  std::string text;
  // A multi-line response (RFC 1939 3): these lines follow the status line
  // and the terminating ".". Lines starting with "." are stuffed on the wire.
  bool multiline = false;
  std::vector<std::string> lines;
  friend bool operator==(reply const&, reply const&) = default;
};

reply ok(std::string text);
reply ok_lines(std::string text, std::vector<std::string> lines);
reply err(std::string text, resp_code code = resp_code::none);

// The whole response on the wire. SECURITY: control characters in any text
// (which may echo client input) are replaced, so a response can never inject
// a line of its own; the status line is cut to 512 octets with its CRLF.
std::string format(reply const& r);

// Only the status line (for RETR and TOP, whose body is streamed).
std::string format_status(reply const& r);

// The SASL continuation "+ <base64>" (RFC 5034 4).
std::string format_continuation(std::string_view base64);

}  // namespace posta::mail::pop3::proto
