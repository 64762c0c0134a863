// Incremental splitter of SMTP command lines (and SASL exchange lines):
// RFC 5321 2.3.8 (CRLF), 4.5.3.1.4 (512-octet command lines), RFC 4954 4
// (longer AUTH lines). Bytes in, one line at a time out, bounded memory.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace posta::mail::smtp::proto {

// SECURITY: RFC 5321 4.5.3.1.4: a command line is at most 512 octets with its CRLF.
inline constexpr std::size_t max_command_line = 512;
// SECURITY: SASL responses (AUTH initial response, 334 replies) carry base64
// credentials and Kerberos tickets; they get a larger, still bounded, limit.
inline constexpr std::size_t max_auth_line = 12288;

class line_splitter {
 public:
  enum class kind {
    need_more,  // all input consumed, no complete line yet
    line,       // `line` holds one line without its terminator
    overlong,   // a line longer than the limit ended; its bytes were discarded
  };

  struct event {
    kind what = kind::need_more;
    std::string_view line;  // valid until the next call to next()
    bool has_nul = false;   // the line contains a NUL octet
    std::size_t consumed = 0;  // octets of `input` used; feed the rest again
  };

  // `max_line` counts the CRLF, as RFC 5321 does.
  explicit line_splitter(std::size_t max_line = max_command_line) : max_line_(max_line) {}

  // Changes the bound, e.g. to max_auth_line for a SASL exchange and back.
  void set_max_line(std::size_t max_line) noexcept { max_line_ = max_line; }
  std::size_t max_line() const noexcept { return max_line_; }

  // Looks for the next line in `input`, resuming a line started in earlier
  // input. A line ends at LF; a CR just before it is removed.
  // COMPAT(client): a bare LF ends a command line too.
  event next(std::string_view input);

  // Bytes of an unfinished line held from earlier input (0 when discarding).
  std::size_t buffered() const noexcept { return partial_.size(); }

  void reset() noexcept;

 private:
  event finish_line(std::string_view tail, std::size_t consumed);
  std::size_t max_content() const noexcept { return max_line_ >= 2 ? max_line_ - 2 : 0; }

  std::size_t max_line_;
  std::string partial_;     // the start of a line that spans inputs
  bool discarding_ = false; // inside an overlong line, dropping bytes until LF
  bool partial_nul_ = false;
  bool line_in_partial_ = false;  // the last line returned points into partial_
};

}  // namespace posta::mail::smtp::proto
