// Incremental decoder of the DATA section: dot-unstuffing, line ending
// normalisation, end-of-data detection and a size bound. RFC 5321 3.3, 4.1.1.4,
// 4.5.2 (transparency), 2.3.8 (CRLF); RFC 1870 (size counted with CRLF line ends).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string_view>

namespace posta::mail::smtp::proto {

class data_decoder {
 public:
  using sink = std::function<void(std::string_view)>;

  struct progress {
    std::size_t consumed = 0;  // octets of the input used; the rest are pipelined commands
    bool done = false;         // the terminating "." line was seen
  };

  // `max_size` bounds what reaches the sink, in decoded octets.
  explicit data_decoder(std::uint64_t max_size = std::numeric_limits<std::uint64_t>::max(),
                        sink out = {})
      : max_size_(max_size), out_(std::move(out)) {}

  // Feeds the next bytes after the 354 reply, split anywhere.
  // SECURITY: only CRLF "." CRLF ends the message. A "." line next to a bare
  // LF or CR is content (its line ending normalised), so "<LF>.<LF>" cannot
  // smuggle a second message past a peer that reads it differently. Bare LF
  // and bare CR are written as CRLF but do not start a line for
  // dot-unstuffing either.
  progress feed(std::string_view input);

  bool is_done() const noexcept { return state_ == state::done; }
  // SECURITY: past max_size nothing more is written (the sink has the first
  // max_size octets, a truncated message to be discarded), but the input is still
  // read to its end so the session can answer 552 5.3.4 and carry on.
  bool is_oversize() const noexcept { return oversize_; }
  std::uint64_t octets() const noexcept { return octets_; }  // decoded size, even past the bound
  std::uint64_t raw_octets() const noexcept { return raw_; } // input consumed, terminator included
  // A CR not followed by LF or an LF not preceded by CR was seen (and written
  // as CRLF). The session refuses such a message (see session_message.cpp).
  bool has_bare_line_end() const noexcept { return bare_line_end_; }

 private:
  enum class state { line_start, dot, dot_cr, mid_line, cr, done };

  void emit(std::string_view piece);
  std::size_t scan_text(std::string_view input, std::size_t i);
  bool step(char c);

  std::uint64_t max_size_;
  sink out_;
  state state_ = state::line_start;  // the DATA command line ended with CRLF
  bool oversize_ = false;
  bool bare_line_end_ = false;
  std::uint64_t octets_ = 0;
  std::uint64_t raw_ = 0;
};

}  // namespace posta::mail::smtp::proto
