// What one SMTP session may spend, whatever its commands are: a number of
// commands (a NOOP or RSET loop ends too, not only one of errors), a rate of
// commands, and a lifetime. Pure: the session passes the time in.
#pragma once

#include <chrono>
#include <cstdint>

namespace posta::mail::smtp::proto {

struct budget_limits {
  // SECURITY: each 0 / zero means unlimited.
  std::uint64_t max_commands = 0;          // per session, every command counts
  std::uint32_t max_commands_per_second = 0;  // sustained rate; bursts up to five times that
  std::chrono::steady_clock::duration max_lifetime{};
};

class session_budget {
 public:
  using clock = std::chrono::steady_clock;
  enum class verdict { ok, too_many_commands, too_fast, too_old };

  session_budget(budget_limits limits, clock::time_point start);

  // Called once per command line (before it is parsed): ok, or why the
  // session must end now.
  verdict on_command(clock::time_point now);

  // Time left before the lifetime ends (zero when it has, or when unlimited:
  // see has_lifetime()).
  clock::duration lifetime_left(clock::time_point now) const;
  bool has_lifetime() const { return limits_.max_lifetime != clock::duration::zero(); }
  std::uint64_t commands() const { return commands_; }

 private:
  bool take_token(clock::time_point now);

  budget_limits limits_;
  clock::time_point start_;
  std::uint64_t commands_ = 0;
  double tokens_;  // a token bucket for the rate, refilled continuously
  clock::time_point refilled_;
};

}  // namespace posta::mail::smtp::proto
