// SECURITY: commands per second per session (imap.max_commands_per_second,
// pop3.max_commands_per_second): a token bucket holding five seconds' worth,
// so a client may pipeline a burst (mbsync sends hundreds of commands at
// once) but cannot make one session take a core. Past the rate the session
// is slowed down, not cut: delay() says how long to wait before the next
// command runs. Pure (the caller passes the time).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace posta::net {

class command_rate {
 public:
  using clock = std::chrono::steady_clock;

  void set_rate(std::uint32_t per_second, clock::time_point now) {
    per_second_ = per_second;
    tokens_ = burst();
    last_ = now;
  }

  // Takes one command; zero when it may run now, else the wait before it.
  clock::duration delay(clock::time_point now) {
    if (per_second_ == 0) return clock::duration::zero();
    double const elapsed = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    tokens_ = std::min(burst(), tokens_ + elapsed * per_second_);
    tokens_ -= 1;
    if (tokens_ >= 0) return clock::duration::zero();
    return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(-tokens_ / per_second_));
  }

 private:
  double burst() const { return 5.0 * per_second_; }

  std::uint32_t per_second_ = 0;  // 0: unlimited
  double tokens_ = 0;
  clock::time_point last_{};
};

}  // namespace posta::net
