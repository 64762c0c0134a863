// SMTP reply framing for the load generator (RFC 5321 4.2).
#include "bench/smtp_load/reply.hpp"

#include <string_view>

namespace posta::bench::smtp_load {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The code of one reply line, or 0 if the line is not "ddd" / "ddd-…" / "ddd …".
int line_code(std::string_view line) {
  if (line.size() < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2])) return 0;
  if (line.size() > 3 && line[3] != '-' && line[3] != ' ') return 0;
  return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

}  // namespace

take_status take_reply(std::string& buffer, reply& out) {
  std::size_t pos = 0;
  int first_code = 0;
  std::vector<std::string> lines;
  for (;;) {
    auto eol = buffer.find("\r\n", pos);
    if (eol == std::string::npos) return take_status::need_more;
    std::string_view line(buffer.data() + pos, eol - pos);
    int code = line_code(line);
    if (code < 100 || code > 599 || (first_code != 0 && code != first_code)) return take_status::malformed;
    first_code = code;
    pos = eol + 2;
    lines.emplace_back(line);
    if (line.size() == 3 || line[3] == ' ') {
      out.code = code;
      out.lines = std::move(lines);
      buffer.erase(0, pos);
      return take_status::complete;
    }
  }
}

}  // namespace posta::bench::smtp_load
