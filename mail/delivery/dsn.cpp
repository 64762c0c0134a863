// Builds RFC 3464 failure notices: a multipart/report (RFC 6522) with a
// human explanation, a message/delivery-status part and the returned
// original (RFC 3461 4.3 RET), honouring NOTIFY (RFC 3461 4.1).
#include "mail/delivery/dsn.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace posta::mail::delivery {
namespace {

constexpr std::string_view crlf = "\r\n";
constexpr std::size_t max_line = 998;   // RFC 5322 2.1.1, without the CRLF
constexpr std::size_t fold_width = 78;  // RFC 5322 2.1.1 SHOULD
// SECURITY: diagnostics come from remote servers; cap what we repeat.
constexpr std::size_t max_value = 2048;
constexpr std::string_view fallback_boundary = "=_posta_dsn_part_boundary";
constexpr std::size_t max_boundary = 70;  // RFC 2046 5.1.1

bool is_ctl(unsigned char c) { return c < 0x20 || c == 0x7f; }

// Field text for the ASCII-only delivery-status part: controls (CR and LF
// above all: SECURITY, no header injection) become spaces, other octets '?'.
std::string ascii_text(std::string_view s) {
  std::string out;
  for (unsigned char const c : s.substr(0, max_value)) out.push_back(is_ctl(c) ? ' ' : c > 0x7f ? '?' : char(c));
  return out;
}

// The same for the UTF-8 text part and headers: 8-bit octets stay.
std::string utf8_text(std::string_view s) {
  std::string out;
  for (unsigned char const c : s.substr(0, max_value)) out.push_back(is_ctl(c) ? ' ' : char(c));
  return out;
}

// Octets that cannot appear in an ASCII field become "+XX", as in xtext
// (RFC 3461 4). TODO(RFC 6533): utf-8 address types for SMTPUTF8 addresses.
std::string ascii_address(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char const c : s.substr(0, max_value)) {
    if (is_ctl(c) || c > 0x7f) {
      out += {'+', hex[c >> 4], hex[c & 15]};
    } else {
      out.push_back(char(c));
    }
  }
  return out;
}

bool is_atext(unsigned char c) {
  if (c >= 0x80) return true;  // RFC 6532 3.2 UTF8-non-ascii
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(char(c)) != std::string_view::npos;
}

bool is_dot_atom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.' || s.find("..") != std::string_view::npos) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c == '.' || is_atext(static_cast<unsigned char>(c)); });
}

// "local@domain" as an RFC 5322 addr-spec: the local part is quoted when it
// is no dot-atom (RFC 5321 4.1.2 keeps it unquoted in our envelope).
std::string addr_spec(std::string_view address) {
  auto const at = address.rfind('@');
  auto const local = at == std::string_view::npos ? address : address.substr(0, at);
  auto const rest = at == std::string_view::npos ? std::string_view{} : address.substr(at);
  if (is_dot_atom(local)) return std::string(address);
  std::string out = "\"";
  for (char const c : local) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"" + std::string(rest);
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < s.size();) {
    auto const end = std::min(s.find(' ', i), s.size());
    // SECURITY: a word longer than a line is cut so no line passes 998.
    for (std::size_t j = i; j < end; j += max_line / 2) out.push_back(s.substr(j, std::min(end - j, max_line / 2)));
    i = end + 1;
  }
  return out;
}

// Appends `first` + words of `text`, breaking before a word that would pass
// fold_width; continuation lines start with `indent` (a space when folding
// a header field, RFC 5322 2.2.3).
void fold(std::string& out, std::string_view first, std::string_view text, std::string_view indent) {
  std::size_t line = first.size();
  out += first;
  bool at_start = true;
  for (auto const w : words(text)) {
    if (!at_start && line + 1 + w.size() > fold_width) {
      out += crlf;
      out += indent;
      line = indent.size();
      at_start = true;
    }
    if (!at_start) out.push_back(' ');
    out += w;
    line += w.size() + (at_start ? 0 : 1);
    at_start = false;
  }
  out += crlf;
}

void field(std::string& out, std::string_view name, std::string_view value) {
  fold(out, std::string(name) + ": ", value, " ");
}

}  // namespace

namespace {

bool is_8bit_char(char c) { return static_cast<unsigned char>(c) > 0x7f; }

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
  return out;
}

// The Action value (RFC 3464 2.3.3); anything unknown reports a failure.
std::string action_of(dsn_recipient const& r) {
  auto const a = lower_ascii(r.action);
  for (std::string_view known : {"failed", "delayed", "delivered", "relayed", "expanded"}) {
    if (a == known) return a;
  }
  return "failed";
}

// RFC 3463 status-code: class "." 1*3digit "." 1*3digit, class 2, 4 or 5.
bool is_status(std::string_view s) {
  if (s.size() < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.') return false;
  auto const dot = s.find('.', 2);
  if (dot == std::string_view::npos) return false;
  auto const digits = [](std::string_view d) {
    return !d.empty() && d.size() <= 3 && std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  return digits(s.substr(2, dot - 2)) && digits(s.substr(dot + 1));
}

std::string status_of(dsn_recipient const& r, std::string_view action) {
  if (is_status(r.status)) return r.status;
  return action == "failed" ? "5.0.0" : action == "delayed" ? "4.0.0" : "2.0.0";
}

// "type; text" (RFC 3464 2.3.6); a bare local reason gets our own type.
std::string diagnostic_of(dsn_recipient const& r) {
  auto const d = ascii_text(r.diagnostic);
  return d.find(';') == std::string::npos ? "x-posta; " + d : d;
}

// "rfc822;addr" (RFC 3464 2.3.1); an ORCPT without a type is taken as rfc822.
std::string original_recipient_of(std::string_view orcpt) {
  auto const v = ascii_address(orcpt);
  return v.find(';') == std::string::npos ? "rfc822;" + v : v;
}

// Copies `text` with every line end made CRLF (bare CR or LF included) and
// a final CRLF. SECURITY: lines past 998 octets are folded ("CRLF SP"),
// NULs become spaces: only used for header blocks, where that is a fold.
void copy_lines(std::string& out, std::string_view text) {
  std::size_t line = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char const c = text[i];
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += crlf;
      line = 0;
      continue;
    }
    if (line == max_line) {
      out += "\r\n ";
      line = 1;
    }
    out.push_back(c == '\0' ? ' ' : c);
    ++line;
  }
  if (line != 0) out += crlf;
}

// Can the original ride whole in message/rfc822 (RFC 2046 5.2.1: 7bit or
// 8bit only, so no NULs and no line past 998 octets)? Line ends are made
// CRLF by copy_lines either way.
bool fits_rfc822(std::string_view msg, std::size_t max_bytes) {
  if (msg.size() > max_bytes || msg.find('\0') != std::string_view::npos) return false;
  std::size_t line = 0;
  for (char const c : msg) {
    line = (c == '\r' || c == '\n') ? 0 : line + 1;
    if (line > max_line) return false;
  }
  return true;
}

}  // namespace
