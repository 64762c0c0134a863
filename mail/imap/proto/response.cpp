// Formatting of response lines (RFC 3501 7.1, 9 response grammar).
#include "mail/imap/proto/response.hpp"

#include "mail/imap/proto/cursor.hpp"
#include "mail/imap/proto/message_format.hpp"
#include "mail/imap/proto/mutf7.hpp"

#include <algorithm>

namespace posta::mail::imap::proto {

namespace {

std::string_view status_word(status s) {
  switch (s) {
    case status::ok:
      return "OK";
    case status::no:
      return "NO";
    case status::bad:
      return "BAD";
    case status::preauth:
      return "PREAUTH";
    case status::bye:
      return "BYE";
  }
  return "BAD";
}

std::string status_line(std::string_view tag, status s, std::string_view code, std::string_view text) {
  std::string out(tag.empty() ? "*" : tag);
  out += ' ';
  out += status_word(s);
  if (!code.empty()) {
    out += " [";
    out += code;
    out += ']';
  }
  out += ' ';
  std::size_t start = out.size();
  out += text.empty() ? std::string_view("completed") : text;
  std::replace_if(
      out.begin() + static_cast<std::ptrdiff_t>(start), out.end(),
      [](char c) { return c == '\r' || c == '\n' || c == '\0'; }, ' ');
  out += "\r\n";
  return out;
}

}  // namespace

std::string tagged(std::string_view tag, status s, std::string_view code, std::string_view text) {
  return status_line(tag, s, code, text);
}

std::string untagged_status(status s, std::string_view code, std::string_view text) {
  return status_line("*", s, code, text);
}

std::string untagged(std::string_view data) {
  std::string out = "* ";
  out += data;
  out += "\r\n";
  return out;
}

std::string continuation(std::string_view text) {
  std::string out = "+ ";
  out += text;
  out += "\r\n";
  return out;
}

void append_literal(std::string& out, std::string_view bytes, bool literal8) {
  if (literal8) out += '~';
  out += '{';
  out += std::to_string(bytes.size());
  out += "}\r\n";
  out += bytes;
}

void append_astring(std::string& out, std::string_view s) {
  bool atom = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return is_atom_char(c) || c == ']'; });
  if (atom)
    out += s;
  else
    append_string(out, s);
}

void append_mailbox(std::string& out, std::string_view utf8_name, bool utf8_accept) {
  if (utf8_accept) {
    append_string(out, utf8_name);
  } else {
    append_string(out, mutf7_encode(utf8_name));
  }
}

}  // namespace posta::mail::imap::proto
