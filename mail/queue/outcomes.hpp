// What the replies of one transaction decide for each of its recipients:
// delivered, bounced (5xx), expired (deferred past queue.max_time_hours) or
// deferred until the retry policy's next attempt; and which reports the
// sender is due: a failure report, a "relayed" one (NOTIFY=SUCCESS to a peer
// without DSN) and a delay warning (deferred past queue.delay_warning_hours,
// once per recipient). Pure.
#pragma once

#include "mail/queue/grouping.hpp"
#include "mail/queue/notices.hpp"
#include "mail/queue/queue_store.hpp"
#include "mail/queue/retry.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace posta::mail::queue {

struct decided_outcomes {
  std::vector<outcome> outcomes;                   // one per recipient, in transaction order
  std::vector<given_up> failed, relayed, delayed;  // point into the transaction's recipients
};

struct outcome_policy {
  retry_policy retry;
  std::chrono::seconds delay_warning{0};  // 0: no delay warnings
};

// `replies[i]` and `delivered[i]` are recipient i's; `host` the server that
// answered ("" when none did); `peer_reports`: it offered DSN.
decided_outcomes decide_outcomes(outbound_transaction const& t, std::vector<smtp::proto::reply> const& replies,
                                 std::vector<bool> const& delivered, std::string const& host,
                                 outcome_policy const& policy, bool peer_reports);

// The failure report could not be committed: bounced and expired recipients
// stay, due again after `wait`, until their sender can be told.
void keep_failed_for_retry(std::vector<outcome>& outcomes, std::chrono::seconds wait);

}  // namespace posta::mail::queue
