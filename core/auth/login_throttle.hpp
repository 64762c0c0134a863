// Failed-login throttling per client IP and per account: a sliding window of
// recent failures; reaching the limit locks the key out for a while. One
// instance is shared by every session (mutex inside); time is passed in.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace posta::auth {

struct login_throttle_params {
  // SECURITY: failures counted within `window` before `lockout` starts.
  std::uint32_t max_failures_per_ip = 20;
  std::uint32_t max_failures_per_account = 5;
  std::chrono::seconds window{std::chrono::minutes{10}};
  std::chrono::seconds lockout{std::chrono::minutes{15}};
  // SECURITY: memory bound: keys tracked per table (IPs, accounts); past it
  // the key touched longest ago is forgotten.
  std::size_t max_tracked_keys = 100'000;
};

struct throttle_verdict {
  bool allowed = true;
  std::chrono::steady_clock::duration retry_after{};  // when refused: time left in the lockout
};

class login_throttle {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  explicit login_throttle(login_throttle_params params = {});

  // Before checking a password: is this IP, and this account, locked out?
  // `ip` should be the address, or the /64 for IPv6, as the caller chooses;
  // `account` the normalised login. Either may be empty to skip that check.
  throttle_verdict check(std::string_view ip, std::string_view account, time_point now);

  // A wrong password (or unknown account): counts against both keys.
  void record_failure(std::string_view ip, std::string_view account, time_point now);

  // A correct password: forgets the account's failures. The IP keeps its
  // count, so one valid account cannot launder guesses against others.
  void record_success(std::string_view account);

  // Keys currently tracked (IPs + accounts); for tests and metrics.
  std::size_t tracked_keys() const;

 private:
  struct entry {
    std::deque<time_point> failures;  // within the window, oldest first; at most the limit
    time_point locked_until{};
    std::list<std::string>::iterator lru;  // position in the table's recency list
  };

  // One table: entries by key plus recency order for eviction.
  struct table {
    std::unordered_map<std::string, entry> entries;
    std::list<std::string> recency;  // front: touched longest ago
  };

  static std::chrono::steady_clock::duration locked_for(table const& t, std::string_view key, time_point now);
  void fail(table& t, std::string_view key, std::uint32_t limit, time_point now);
  entry& touch(table& t, std::string_view key);

  login_throttle_params const params_;
  mutable std::mutex mutex_;
  table ips_;
  table accounts_;
};

}  // namespace posta::auth
