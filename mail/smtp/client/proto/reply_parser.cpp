// SMTP reply parsing for the client. RFC 5321 4.2, 4.5.3.1.5; RFC 3463 2.
#include "mail/smtp/client/proto/reply_parser.hpp"

#include "mail/smtp/proto/grammar.hpp"

namespace posta::mail::smtp::client::proto {
namespace {

namespace grammar = smtp::proto::grammar;

// Reply-code: %x32-35 %x30-35 %x30-39; the second digit is not checked, as
// no client cares and some servers use others.
bool is_reply_code(std::string_view s) noexcept {
  return s.size() >= 3 && s[0] >= '2' && s[0] <= '5' && grammar::is_digit(s[1]) && grammar::is_digit(s[2]);
}

// 1*3digit, no leading zeros needed; RFC 3463 2: subject and detail 1..3 digits.
std::size_t digits_at(std::string_view s, std::size_t pos, std::size_t max) noexcept {
  std::size_t n = 0;
  while (pos + n < s.size() && n <= max && grammar::is_digit(s[pos + n])) ++n;
  return n >= 1 && n <= max ? n : 0;
}

// Removes the enhanced code and the space after it from a line's text.
std::string strip_code(std::string const& text, std::string_view code) {
  if (!text.starts_with(code)) return text;
  std::string_view rest = std::string_view(text).substr(code.size());
  if (rest.empty()) return {};
  if (!rest.starts_with(' ')) return text;  // "2.1.50": another code
  return std::string(rest.substr(1));
}

}  // namespace

std::string_view to_string(reply_error e) noexcept {
  switch (e) {
    case reply_error::bad_syntax: return "malformed reply line";
    case reply_error::code_mismatch: return "reply lines with different codes";
    case reply_error::line_too_long: return "reply line too long";
    case reply_error::too_many_lines: return "reply with too many lines";
  }
  return "bad reply";
}

std::string_view leading_enhanced_code(int code, std::string_view text) noexcept {
  if (text.size() < 5 || text[0] != static_cast<char>('0' + code / 100) || text[1] != '.') return {};
  std::size_t subject = digits_at(text, 2, 3);
  if (subject == 0 || 2 + subject >= text.size() || text[2 + subject] != '.') return {};
  std::size_t detail_at = 3 + subject;
  std::size_t detail = digits_at(text, detail_at, 3);
  std::size_t end = detail_at + detail;
  if (detail == 0 || (end < text.size() && text[end] != ' ')) return {};
  return text.substr(0, end);
}

void reply_parser::feed(std::string_view bytes) {
  while (!failure_ && !bytes.empty()) {
    auto lf = bytes.find('\n');
    line_.append(bytes.substr(0, lf));
    // SECURITY: the partial line is bounded, whatever the split (a CR still
    // at its end counts only once the line is complete).
    if (line_.size() > limits_.max_line_octets + 1) return fail(reply_error::line_too_long);
    if (lf == std::string_view::npos) return;
    bytes.remove_prefix(lf + 1);
    if (line_.ends_with('\r')) line_.pop_back();
    if (line_.size() > limits_.max_line_octets) return fail(reply_error::line_too_long);
    std::string line = std::move(line_);
    line_.clear();
    on_line(line);
  }
}

void reply_parser::on_line(std::string_view line) {
  if (!is_reply_code(line)) return fail(reply_error::bad_syntax);
  bool last = line.size() == 3 || line[3] == ' ';
  if (!last && line[3] != '-') return fail(reply_error::bad_syntax);
  int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (!current_.lines.empty() && code != current_.code) return fail(reply_error::code_mismatch);
  if (current_.lines.size() == limits_.max_lines) return fail(reply_error::too_many_lines);
  current_.code = code;
  current_.lines.emplace_back(line.size() > 3 ? line.substr(4) : std::string_view{});
  if (last) finish_reply();
}

void reply_parser::finish_reply() {
  auto code = leading_enhanced_code(current_.code, current_.lines.front());
  if (!code.empty()) {
    current_.enhanced = std::string(code);
    for (auto& text : current_.lines) text = strip_code(text, current_.enhanced);
  }
  ready_.push_back(std::move(current_));
  current_ = reply{};
}

void reply_parser::fail(reply_error e) {
  failure_ = e;
  line_.clear();
  current_ = reply{};
}

std::optional<parsed_reply> reply_parser::next() {
  if (!ready_.empty()) {
    auto r = std::move(ready_.front());
    ready_.pop_front();
    return parsed_reply(std::move(r));
  }
  if (failure_) return parsed_reply(*failure_);
  return std::nullopt;
}

}  // namespace posta::mail::smtp::client::proto
