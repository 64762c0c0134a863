// Sending the reports notices.hpp builds: the original message (whole for
// RET=FULL when it fits, else its header) read from the blob store, and the
// report delivered through the committer like any mail (locally, or queued).
#pragma once

#include "mail/queue/grouping.hpp"
#include "mail/queue/notices.hpp"
#include "mail/queue/runner.hpp"

#include <vector>

namespace posta::mail::queue {

// Nothing is sent when none is due (a null sender, NOTIFY).
asio::awaitable<result<void>> send_report(runner_context const& ctx, outbound_transaction const& t,
                                          std::vector<given_up> const& reported);

// For reports whose loss changes no outcome: whether it went (or none was
// due); a failure is journaled with `failure_text`.
asio::awaitable<bool> send_report_or_journal(runner_context const& ctx, outbound_transaction const& t,
                                             std::vector<given_up> const& reported, char const* failure_text);

}  // namespace posta::mail::queue
