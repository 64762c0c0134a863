#include "mail/queue/outcomes.hpp"

#include "mail/delivery/bounce.hpp"

namespace posta::mail::queue {

decided_outcomes decide_outcomes(outbound_transaction const& t, std::vector<smtp::proto::reply> const& replies,
                                 std::vector<bool> const& delivered, std::string const& host,
                                 outcome_policy const& policy, bool peer_reports) {
  decided_outcomes out;
  for (std::size_t i = 0; i < t.recipients.size(); ++i) {
    auto const& r = t.recipients[i];
    auto const& said = replies[i];
    outcome o{r.id, outcome_kind::deferred, said.code, reply_text(said), host, {}};
    if (delivered[i]) {
      o.kind = outcome_kind::delivered;
      auto notify = delivery::parse_notify(r.notify);
      if (!peer_reports && notify && notify->success && !notify->never)
        out.relayed.push_back({&r, said, false, host, true});
    } else if (said.is_permanent()) {
      o.kind = outcome_kind::bounced;
      out.failed.push_back({&r, said, false, host});
    } else if (auto step = after_temporary_failure(policy.retry, r.attempts + 1, r.age); step.give_up) {
      o.kind = outcome_kind::expired;
      out.failed.push_back({&r, said, true, host});
    } else {
      o.retry_in = step.wait;
      if (policy.delay_warning.count() > 0 && r.age >= policy.delay_warning && !r.delay_notice_sent) {
        given_up d{&r, said, false, host};
        d.delayed = true;
        d.retry_for = policy.retry.max_age - r.age;
        out.delayed.push_back(std::move(d));
        o.delay_notice_sent = true;
      }
    }
    out.outcomes.push_back(std::move(o));
  }
  return out;
}

void keep_failed_for_retry(std::vector<outcome>& outcomes, std::chrono::seconds wait) {
  for (auto& o : outcomes)
    if (o.kind == outcome_kind::bounced || o.kind == outcome_kind::expired) {
      o.kind = outcome_kind::deferred;
      o.retry_in = wait;
    }
}

}  // namespace posta::mail::queue
