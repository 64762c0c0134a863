// Parses a raw RFC 5322 message once, at delivery, into the message_structure
// that IMAP FETCH serves from (RFC 3501 7.4.2; MIME: RFC 2045, 2046, 2183,
// 2231, 2047). Pure CPU and thread-safe: may run on a worker thread.
#pragma once

#include "core/util/result.hpp"
#include "mail/mime/proto/message_structure.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace posta::mail::mime {

struct parse_limits {
  // SECURITY: nesting of multipart and message/rfc822 entities; deeper
  // containers are kept as opaque application/octet-stream leaves.
  std::size_t max_depth = 64;
  // SECURITY: total parts; past it multiparts stop splitting and containers
  // become leaves, so a hostile message cannot make a huge jsonb row.
  std::size_t max_parts = 10'000;
  // SECURITY: entries per address header (see parse_address_list).
  std::size_t max_addresses = 2'000;
  // SECURITY: refuse anything larger; SMTP limits are far below this.
  std::uint64_t max_message_bytes = std::uint64_t{1} << 31;
  // SECURITY: nested containers rescan their bodies for boundaries; all
  // scanning together reads at most this many times the message (plus
  // 64 KiB). Past it, containers stay leaves and the part being split runs
  // to its end, so parse time is linear in the size whatever the nesting.
  std::uint64_t max_scan_passes = 8;
};

// What one parse cost, for the fuzz target and tests.
struct parse_cost {
  std::uint64_t scanned_octets = 0;  // read by boundary and line scanning
  std::size_t parts = 0;             // entities built
};

// `raw` is the whole message with CRLF line endings (bare LF is tolerated).
// Never fails on malformed input: missing boundaries, garbage headers, 8-bit
// bytes, truncation and empty input give a best-effort structure. Fails only
// with errc::limit_exceeded when raw is larger than max_message_bytes.
result<message_structure> parse_message(std::string_view raw, parse_limits const& limits = {},
                                        parse_cost* cost = nullptr);

}  // namespace posta::mail::mime
