// Bounds on the header section of a message while it streams in (DATA or
// BDAT, after line endings are canonical): the whole header block and each
// physical header line. RFC 5322 2.1.1 (998 octets a line), 2.2 (the header
// ends at the first empty line); the block bound is Postfix's
// header_size_limit. Pure: octets in, a verdict out.
#pragma once

#include "mail/smtp/proto/reply.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace posta::mail::smtp::proto {

struct header_limits {
  // SECURITY: the header block (every field up to the empty line), in octets
  // with line ends; setting smtp.max_header_kb. MIME parsing and the stored
  // envelope never see more than this.
  std::uint64_t max_header_octets = 100 * 1024;
  // SECURITY: one header line without its CRLF (RFC 5322 2.1.1: MUST be no
  // more than 998 characters).
  std::uint64_t max_line_octets = 998;
};

class header_guard {
 public:
  explicit header_guard(header_limits limits = {}) : limits_(limits) {}

  // The next octets of the message (CRLF line ends), split anywhere. False
  // once the message is refused: the caller drops this piece and the rest,
  // so a hostile header costs no memory or disk past the bound.
  bool feed(std::string_view piece);

  bool is_refused() const noexcept { return refusal_.has_value(); }
  bool is_header_done() const noexcept { return done_; }
  // 552 5.3.4 for an oversized block, 554 5.6.0 for an overlong line.
  std::optional<reply> const& refusal() const noexcept { return refusal_; }

 private:
  header_limits limits_;
  std::uint64_t block_ = 0;  // header octets so far
  std::uint64_t line_ = 0;   // octets of the current line, CR excluded
  bool done_ = false;
  std::optional<reply> refusal_;
};

}  // namespace posta::mail::smtp::proto
