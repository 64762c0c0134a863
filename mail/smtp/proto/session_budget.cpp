// Command count, command rate and lifetime of one SMTP session: see session_budget.hpp.
#include "mail/smtp/proto/session_budget.hpp"

#include <algorithm>

namespace posta::mail::smtp::proto {
namespace {
// RFC 2920: a pipelining client sends MAIL, its RCPTs and DATA in one burst
// (a thousand RCPTs from a list server), so the bucket holds five seconds' worth.
constexpr double burst_seconds = 5.0;
}  // namespace

session_budget::session_budget(budget_limits limits, clock::time_point start)
    : limits_(limits), start_(start), tokens_(burst_seconds * limits.max_commands_per_second), refilled_(start) {}

bool session_budget::take_token(clock::time_point now) {
  double const rate = limits_.max_commands_per_second;
  double const elapsed = std::chrono::duration<double>(now - refilled_).count();
  if (elapsed > 0) {
    tokens_ = std::min(burst_seconds * rate, tokens_ + elapsed * rate);
    refilled_ = now;
  }
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

session_budget::verdict session_budget::on_command(clock::time_point now) {
  ++commands_;
  if (has_lifetime() && now - start_ >= limits_.max_lifetime) return verdict::too_old;
  if (limits_.max_commands != 0 && commands_ > limits_.max_commands) return verdict::too_many_commands;
  if (limits_.max_commands_per_second != 0 && !take_token(now)) return verdict::too_fast;
  return verdict::ok;
}

session_budget::clock::duration session_budget::lifetime_left(clock::time_point now) const {
  if (!has_lifetime()) return clock::duration::zero();
  auto const end = start_ + limits_.max_lifetime;
  return now < end ? end - now : clock::duration::zero();
}

}  // namespace posta::mail::smtp::proto
