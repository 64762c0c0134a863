// POP3 response formatting (RFC 1939 3, RFC 2449 8, RFC 5034 4).
#include "mail/pop3/proto/reply.hpp"

namespace posta::mail::pop3::proto {
namespace {

// RFC 1939 3: a response line is at most 512 octets with its CRLF.
constexpr std::size_t max_status_line = 512 - 2;

std::string_view code_text(resp_code c) {
  switch (c) {
    case resp_code::none: return "";
    case resp_code::auth: return "[AUTH] ";
    case resp_code::sys_temp: return "[SYS/TEMP] ";
    case resp_code::sys_perm: return "[SYS/PERM] ";
    case resp_code::in_use: return "[IN-USE] ";
  }
  return "";
}

void append_clean(std::string& out, std::string_view text) {
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
  }
}

}  // namespace

reply ok(std::string text) { return reply{true, resp_code::none, std::move(text), false, {}}; }

reply ok_lines(std::string text, std::vector<std::string> lines) {
  return reply{true, resp_code::none, std::move(text), true, std::move(lines)};
}

reply err(std::string text, resp_code code) { return reply{false, code, std::move(text), false, {}}; }

std::string format_status(reply const& r) {
  std::string out = r.ok ? "+OK" : "-ERR";
  if (!r.text.empty() || r.code != resp_code::none) {
    out += ' ';
    out += code_text(r.code);
    append_clean(out, r.text);
  }
  if (out.size() > max_status_line) out.resize(max_status_line);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  out += "\r\n";
  return out;
}

std::string format(reply const& r) {
  std::string out = format_status(r);
  if (!r.multiline) return out;
  for (auto const& line : r.lines) {
    if (!line.empty() && line.front() == '.') out += '.';
    append_clean(out, line);
    out += "\r\n";
  }
  out += ".\r\n";
  return out;
}

std::string format_continuation(std::string_view base64) {
  std::string out = "+ ";
  append_clean(out, base64);
  out += "\r\n";
  return out;
}

}  // namespace posta::mail::pop3::proto
