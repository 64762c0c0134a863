// Per-client message rate: two weighted one-minute buckets per key, bounded
// table with least-recently-touched eviction.
#include "mail/smtp/policy/rate_limiter.hpp"

#include "mail/smtp/policy/networks.hpp"

#include <algorithm>

namespace posta::mail::smtp::policy {
namespace {

using std::chrono::milliseconds;
constexpr std::int64_t window_ms = 60'000;

// SECURITY: the arithmetic below stays within 64 bits for limits up to
// 2^40 per minute; larger limits behave as 2^40, which is unlimited in
// practice.
constexpr std::uint64_t max_effective_limit = std::uint64_t{1} << 40;

// SECURITY: keys normally come from rate_key (at most ~45 bytes); cut
// anything longer so one key costs bounded memory.
constexpr std::size_t max_key_bytes = 128;

}  // namespace

std::string rate_key(boost::asio::ip::address const& peer) {
  auto const a = unmap(peer);
  if (a.is_v4()) return a.to_string();
  auto bytes = a.to_v6().to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);  // keep the /64
  return boost::asio::ip::address_v6(bytes).to_string() + "/64";
}

rate_limiter::rate_limiter(std::size_t max_tracked) : max_tracked_(std::max<std::size_t>(max_tracked, 1)) {}

// Moves the buckets forward to the minute that holds `now`.
void rate_limiter::advance(entry& e, time_point now) {
  if (now < e.bucket_start) return;  // a clock that went back: stay in this bucket
  auto const elapsed = std::chrono::duration_cast<milliseconds>(now - e.bucket_start).count();
  if (elapsed >= 2 * window_ms) {
    e = entry{now, 0, 0, e.lru};
  } else if (elapsed >= window_ms) {
    e.previous = e.current;
    e.current = 0;
    e.bucket_start += milliseconds(window_ms);
  }
}

rate_limiter::entry& rate_limiter::touch(std::string_view key, time_point now) {
  std::string const k(key.substr(0, max_key_bytes));
  auto it = entries_.find(k);
  if (it != entries_.end()) {
    recency_.splice(recency_.end(), recency_, it->second.lru);
    return it->second;
  }
  if (entries_.size() >= max_tracked_) {
    entries_.erase(recency_.front());
    recency_.pop_front();
  }
  recency_.push_back(k);
  entry& e = entries_[k];
  e.bucket_start = now;
  e.lru = std::prev(recency_.end());
  return e;
}

bool rate_limiter::try_take(std::string_view key, std::uint64_t limit_per_minute, time_point now) {
  if (limit_per_minute == 0) return true;
  auto const limit = std::min(limit_per_minute, max_effective_limit);
  std::lock_guard lock(mutex_);
  entry& e = touch(key, now);
  advance(e, now);
  auto const elapsed = std::clamp<std::int64_t>(
      std::chrono::duration_cast<milliseconds>(now - e.bucket_start).count(), 0, window_ms);
  auto const unexpired = static_cast<std::uint64_t>(window_ms - elapsed);
  auto const w = static_cast<std::uint64_t>(window_ms);
  // previous * unexpired / w + current + 1 <= limit, without division.
  if (std::min(e.previous, max_effective_limit) * unexpired + (e.current + 1) * w > limit * w) return false;
  ++e.current;
  return true;
}

std::size_t rate_limiter::tracked_keys() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace posta::mail::smtp::policy
