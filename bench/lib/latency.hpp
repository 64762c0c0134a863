// Shared by the load generators: nearest-rank latency percentiles and JSON
// string escaping for their one-line reports. Header-only, so a generator
// that links only Asio and fmt can use it.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

namespace posta::bench {

struct latency_summary {
  std::size_t count = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0, mean_ms = 0;
};

inline double percentile_ms(std::vector<std::uint32_t> const& sorted, double p) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1] / 1000.0;
}

// Microsecond samples summarised in milliseconds; sorts `us` in place.
inline latency_summary summarise(std::vector<std::uint32_t>& us) {
  latency_summary l;
  l.count = us.size();
  if (us.empty()) return l;
  std::sort(us.begin(), us.end());
  l.p50_ms = percentile_ms(us, 50);
  l.p90_ms = percentile_ms(us, 90);
  l.p99_ms = percentile_ms(us, 99);
  l.max_ms = us.back() / 1000.0;
  l.mean_ms = std::accumulate(us.begin(), us.end(), 0.0) / static_cast<double>(us.size()) / 1000.0;
  return l;
}

// A server's odd reply is printed as it came: quotes and backslashes
// escaped, control characters dropped.
inline std::string json_string(std::string const& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out + "\"";
}

}  // namespace posta::bench
