// Failure notices for recipients of an accepted message that no mailbox took
// (over quota at commit time, or deleted/disabled since RCPT): an RFC 3464
// report, built here and delivered in the same transaction as the message.
#pragma once

#include "mail/delivery/committer.hpp"
#include "mail/delivery/dsn.hpp"

#include <optional>
#include <string>
#include <vector>

namespace posta::mail::delivery {

struct failed_recipient {
  std::string address;
  std::string status;  // RFC 3463, e.g. 5.2.2
  std::string reply;   // the SMTP reply we would have given: "552 5.2.2 Mailbox full"
};

// The notice to deliver with the null sender, or nullopt when none is due:
// a null or unauthenticated sender (SECURITY: no backscatter to forged
// senders), or NOTIFY excludes failures. It carries the original's header
// section only, whatever RET asked (SECURITY: a notice never reflects a
// body). Its body is always inline (small by construction).
std::optional<request> failure_notice(request const& original, std::vector<failed_recipient> const& failed);

// A report built by build_failure_dsn (dsn.hpp), as a delivery request from
// the null sender to `to` (NOTIFY=NEVER: a notice is never answered with one).
std::optional<request> notice_request(std::string notice, std::string to, std::string reporting_mta);

// NOTIFY of a queued recipient ("NEVER", "SUCCESS,FAILURE,DELAY"), or nullopt when it had none.
std::optional<notify_flags> parse_notify(std::optional<std::string> const& text);

}  // namespace posta::mail::delivery
