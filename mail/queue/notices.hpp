// The report to the sender of recipients the runner gave up on: refused
// with a 5xx by the remote server (or by the DNS), or still deferred when
// queue.max_time_hours ran out (RFC 3464, RFC 3461 6.2; RFC 5321 4.5.4.1,
// 6.1: a server that accepted a message must report its failure). The
// remote server's reply travels in Diagnostic-Code, so the sender reads what
// the other side said. Also the reports that are no failure: "relayed" (a
// NOTIFY=SUCCESS the next server will not honour) and "delayed" (a warning
// while the retries go on).
#pragma once

#include "mail/delivery/committer.hpp"
#include "mail/queue/grouping.hpp"
#include "mail/smtp/proto/reply.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace posta::mail::queue {

struct given_up {
  queued_recipient const* recipient = nullptr;
  smtp::proto::reply reply;  // the remote (or local) reply that decided it
  bool expired = false;      // deferred until queue.max_time_hours ran out
  std::string host;          // the server that answered, if any
  // Delivered to a server that does not offer DSN although the sender asked
  // for NOTIFY=SUCCESS: reported "relayed" (RFC 3461 5.2.2.1), not failed.
  bool relayed = false;
  // Still deferred past queue.delay_warning_hours: reported "delayed"
  // (RFC 3464 2.3.3), with the time it is given up if still not delivered.
  bool delayed = false;
  std::chrono::seconds retry_for{0};  // delayed: from now until it expires
};

struct notice_input {
  std::string reporting_mta;     // our host name
  std::string original;          // the whole message (RET=FULL, when it fits) or its header block
  bool original_is_whole = false;
  std::size_t max_full_return = 0;  // larger originals are returned as headers only
  std::vector<given_up> failed;  // recipients of one message (same sender and envelope)
};

// The delivery request for the report (null sender, to the original
// sender; delivered locally or queued like any mail), or nullopt when none
// is due: a null sender (never bounce a bounce) or NOTIFY excludes
// failures for all of them. Its delivery id is derived from the first
// recipient's queue id, so a runner that crashes after committing it and
// tries again does not send it twice.
std::optional<delivery::request> sender_report(notice_input const& in);

// The RFC 3463 status a report gives a recipient for `r`: the reply's own
// enhanced code when it has one, else by class; an expiry of a deferred
// recipient keeps the reply's detail but reports it failed (4.4.7 when
// the reply has no enhanced code).
std::string report_status(smtp::proto::reply const& r, bool expired);

// "550 5.1.1 <b@example.net>: no such user": a reply on one line, for the
// queue's last_reply, its attempts and the journal.
std::string reply_text(smtp::proto::reply const& r);

// "smtp; " + reply_text (RFC 3464 2.3.6 Diagnostic-Code).
std::string diagnostic_of(smtp::proto::reply const& r);

}  // namespace posta::mail::queue
