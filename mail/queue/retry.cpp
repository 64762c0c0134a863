#include "mail/queue/retry.hpp"

#include <algorithm>

namespace posta::mail::queue {

retry_step after_temporary_failure(retry_policy const& policy, int failures, std::chrono::seconds age) {
  if (age >= policy.max_age) return {true, std::chrono::seconds(0)};
  auto wait = policy.first_retry;
  // Doubling stops at the cap well before it could overflow.
  for (int i = 1; i < failures && wait < policy.max_interval; ++i) wait *= 2;
  wait = std::min(wait, std::max(policy.max_interval, policy.first_retry));
  return {false, std::min(wait, policy.max_age - age)};
}

}  // namespace posta::mail::queue
