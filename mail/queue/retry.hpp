// When a deferred recipient is tried again, and when it is given up:
// retries back off from queue.min_time_minutes, doubling each time, up to
// queue.retry_interval_minutes between attempts; a recipient still not
// delivered queue.max_time_hours after it was queued is returned to its
// sender (RFC 5321 4.5.4.1: retry at least 30 minutes apart, give up after
// 4-5 days, both configurable). The last retry is moved to the expiry time,
// so the sender hears back when the limit says, not one interval later.
// Pure: ages are the database's (now() - created_at), never a node's clock.
#pragma once

#include <chrono>

namespace posta::mail::queue {

struct retry_policy {
  std::chrono::seconds first_retry{5 * 60};
  std::chrono::seconds max_interval{30 * 60};
  std::chrono::seconds max_age{120 * 3600};
};

struct retry_step {
  bool give_up = false;         // expired: bounce with the last reply
  std::chrono::seconds wait{0};  // else: the next attempt is this long from now
};

// After the `failures`-th temporary failure (1 for the first) of a recipient
// queued `age` ago.
retry_step after_temporary_failure(retry_policy const& policy, int failures, std::chrono::seconds age);

}  // namespace posta::mail::queue
