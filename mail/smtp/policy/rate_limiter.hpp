// Messages per client per minute (the smtp.max_messages_per_ip_per_minute
// setting): an approximate sliding window of 60 s per key, built from two
// fixed one-minute buckets weighted by overlap. Shared by every SMTP session
// (mutex inside); time is passed in.
#pragma once

#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace posta::mail::smtp::policy {

// The key a client is counted under: the IPv4 address ("192.0.2.1"; mapped
// IPv6 peers count as their IPv4 address), or for IPv6 its /64
// ("2001:db8:1:2::/64").
// SECURITY: one IPv6 host usually owns a whole /64; counting per address
// would let it rotate addresses past any limit.
std::string rate_key(boost::asio::ip::address const& peer);

class rate_limiter {
 public:
  using clock = std::chrono::steady_clock;
  using time_point = clock::time_point;

  // SECURITY: memory bound: at most `max_tracked` keys; past it the key
  // touched longest ago is forgotten (its count restarts from zero).
  explicit rate_limiter(std::size_t max_tracked = 100'000);

  // Counts one message for `key` and returns true, or returns false (and
  // counts nothing) when it would exceed `limit_per_minute` within the last
  // 60 s. Limit 0 means unlimited: always true, nothing tracked.
  // The estimate is previous_bucket * (unexpired share of it) + current
  // bucket, so a burst at the end of one minute still counts at the start of
  // the next; it never lets more than `limit` through within one bucket
  // and at most 2 * limit within any 60 s.
  bool try_take(std::string_view key, std::uint64_t limit_per_minute, time_point now);

  // Keys currently tracked; for tests and metrics.
  std::size_t tracked_keys() const;

 private:
  struct entry {
    time_point bucket_start{};    // start of the current one-minute bucket
    std::uint64_t current = 0;    // messages taken in the current bucket
    std::uint64_t previous = 0;   // messages taken in the bucket before
    std::list<std::string>::iterator lru;
  };

  entry& touch(std::string_view key, time_point now);
  static void advance(entry& e, time_point now);

  std::size_t const max_tracked_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, entry> entries_;
  std::list<std::string> recency_;  // front: touched longest ago
};

}  // namespace posta::mail::smtp::policy
