// Which hosts to try, in which order, for mail to a domain. RFC 5321 5.1
// (lowest preference first, random among equal preferences; no MX: the
// domain itself is the implicit MX), RFC 7505 (null MX "0 .": the domain
// accepts no mail). Pure: the random source is injected.
#pragma once

#include "core/dns/records.hpp"

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace posta::dns {

struct mx_plan {
  std::vector<std::string> hosts;  // in the order to try; empty only for a null MX
  bool is_implicit = false;        // no MX records: hosts is the domain itself
  bool is_null_mx = false;         // RFC 7505: bounce at once (5.1.10 per RFC 7505 4.2)
};

// Returns a number in [0, bound) for bound >= 1.
using random_below = std::function<std::uint64_t(std::uint64_t bound)>;

// SECURITY: at most this many hosts are kept (the lowest preferences): a
// hostile zone cannot make one delivery try hundreds of hosts.
inline constexpr std::size_t max_mx_hosts = 16;

// `records` is the MX answer (empty after NODATA). Hosts are compared case-
// insensitively and appear once, at their lowest preference. A record for
// the root is a null MX; mixed with real ones (a misconfiguration RFC 7505
// 3 forbids) it is skipped, and only a domain with nothing but root records
// counts as null MX.
mx_plan order_mx(std::span<mx_record const> records, std::string_view domain, random_below const& random);

}  // namespace posta::dns
