// Sizes as administrators type and read them: "500M", "2G", "1.5 GiB",
// "unlimited". Binary multiples (K = 1024), as mail quotas usually are.
#pragma once

#include "core/util/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace posta::cli {

// "0", "1048576", "500M", "2G", "1.5G", "10KiB", "3 MB", "1t": bytes.
// Fails with errc::invalid_argument on anything else, negatives and overflow.
result<std::int64_t> parse_size(std::string_view text);

// 0 → "0 B", 1536 → "1.5 KiB", 2147483648 → "2 GiB" (one decimal, dropped when .0).
std::string format_size(std::int64_t bytes);

// Like format_size, but 0 (no quota) reads "unlimited".
std::string format_quota(std::int64_t bytes);

}  // namespace posta::cli
