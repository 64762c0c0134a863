// RETR/TOP body encoding (RFC 1939 3 byte-stuffing, RFC 1939 7 TOP).
#include "mail/pop3/proto/message_encoder.hpp"

namespace posta::mail::pop3::proto {

message_encoder::message_encoder(std::optional<std::uint32_t> top_lines) : top_lines_(top_lines) {}

// A line feed ends the current line: the header ends at its first empty
// line; TOP stops after its n-th body line.
void message_encoder::end_line(std::string& out) {
  if (!prev_cr_) out += '\r';
  out += '\n';
  bool const empty = line_bytes_ == 0 || (line_bytes_ == 1 && prev_cr_);
  line_bytes_ = 0;
  prev_cr_ = false;
  if (!top_lines_) return;
  if (in_header_) {
    if (!empty) return;
    in_header_ = false;
    if (*top_lines_ == 0) done_ = true;
    return;
  }
  if (++body_lines_ >= *top_lines_) done_ = true;
}

void message_encoder::feed(std::string_view in, std::string& out) {
  out.reserve(out.size() + in.size() + in.size() / 32);
  for (std::size_t i = 0; i < in.size() && !done_; ++i) {
    char const c = in[i];
    if (c == '\n') {
      end_line(out);
      continue;
    }
    if (line_bytes_ == 0 && c == '.') out += '.';  // RFC 1939 3: byte-stuffing
    // Runs of ordinary bytes are copied at once.
    std::size_t j = i;
    while (j < in.size() && in[j] != '\n' && in[j] != '\r') ++j;
    if (j > i) {
      out.append(in.data() + i, j - i);
      line_bytes_ += j - i;
      prev_cr_ = false;
      i = j - 1;
      continue;
    }
    out += c;  // a CR: part of the line unless a LF follows
    ++line_bytes_;
    prev_cr_ = true;
  }
}

void message_encoder::finish(std::string& out) {
  if (line_bytes_ > 0 && !done_) {
    if (!prev_cr_) out += '\r';
    out += '\n';
  }
  out += ".\r\n";
}

}  // namespace posta::mail::pop3::proto
