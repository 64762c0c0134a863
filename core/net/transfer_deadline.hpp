// A deadline for a whole payload transfer (SMTP DATA/BDAT, later IMAP
// literals) expressed as a minimum rate, in the manner of Postfix's
// smtpd_min_data_rate: the transfer may take `base` plus one second per
// `min_rate` bytes received so far. Pure: the caller passes the time.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace posta::net {

class transfer_deadline {
 public:
  using clock = std::chrono::steady_clock;

  // SECURITY: base == zero means no deadline at all; min_bytes_per_second == 0
  // means received bytes earn no time (the deadline is start + base).
  transfer_deadline(clock::time_point start, clock::duration base, std::uint64_t min_bytes_per_second)
      : start_(start), base_(base), rate_(std::min<std::uint64_t>(min_bytes_per_second, 1'000'000'000)) {}

  // Received bytes earn time, n / rate seconds, so a peer that keeps the
  // minimum rate never meets the deadline and one that trickles soon does.
  // Unlike a per-read timer, nothing restarts: every byte only earns its share.
  void on_bytes(std::uint64_t n) { received_ += n; }

  clock::time_point deadline() const {
    auto earned = clock::duration::zero();
    if (rate_ != 0) {
      // Whole seconds and the rest apart, so that no product overflows.
      auto const ns = std::chrono::seconds(received_ / rate_) +
                      std::chrono::nanoseconds((received_ % rate_) * 1'000'000'000 / rate_);
      earned = std::chrono::duration_cast<clock::duration>(ns);
    }
    return start_ + base_ + earned;
  }

  bool is_unlimited() const { return base_ == clock::duration::zero(); }

  // Time left at `now`; zero once the deadline has passed (and always zero
  // when unlimited: check is_unlimited() first).
  clock::duration remaining(clock::time_point now) const {
    if (is_unlimited()) return clock::duration::zero();
    auto const at = deadline();
    return now < at ? at - now : clock::duration::zero();
  }
  bool has_passed(clock::time_point now) const { return !is_unlimited() && now >= deadline(); }

 private:
  clock::time_point start_;
  clock::duration base_;
  std::uint64_t rate_;
  std::uint64_t received_ = 0;
};

}  // namespace posta::net
