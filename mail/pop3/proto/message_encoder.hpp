// The body of a RETR or TOP response, encoded as it streams: RFC 1939 3
// byte-stuffing (a line starting with "." gets one more) and line endings
// made CRLF; for TOP (RFC 1939 7) only the header, the empty line and the
// first n body lines. Pure and incremental: any split of the input gives the
// same output, so the session can read the message in ranges.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace posta::mail::pop3::proto {

class message_encoder {
 public:
  // nullopt: the whole message (RETR); n: TOP with n body lines.
  explicit message_encoder(std::optional<std::uint32_t> top_lines = std::nullopt);

  // Appends the encoded form of `in` to `out`. Once TOP has all it needs,
  // is_done() is true and further input is ignored (the session stops reading).
  void feed(std::string_view in, std::string& out);
  bool is_done() const noexcept { return done_; }

  // Ends the response: completes an unterminated last line, then ".\r\n".
  void finish(std::string& out);

 private:
  void end_line(std::string& out);

  std::optional<std::uint32_t> top_lines_;
  std::uint32_t body_lines_ = 0;
  std::size_t line_bytes_ = 0;  // bytes of the current line so far (a CR included)
  bool prev_cr_ = false;
  bool in_header_ = true;
  bool done_ = false;
};

}  // namespace posta::mail::pop3::proto
