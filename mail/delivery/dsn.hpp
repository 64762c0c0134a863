// Delivery status notifications for failed recipients: the multipart/report
// bounce sent back to the envelope sender. RFC 3464 (message/delivery-status),
// RFC 3461 4.1-4.3, 6 (NOTIFY, ORCPT, RET, ENVID), RFC 6522 (multipart/report),
// RFC 3834 5 (Auto-Submitted), RFC 5322 2.1.1 (998-octet lines). Pure code.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace posta::mail::delivery {

// RET of MAIL FROM (RFC 3461 4.3); unspecified returns headers only.
enum class dsn_ret { unspecified, full, headers };

// NOTIFY of RCPT TO (RFC 3461 4.1). nullopt in failed_recipient::notify means
// the parameter was absent, which asks for failure (and delay) notices.
struct notify_flags {
  bool never = false;
  bool success = false;
  bool failure = false;
  bool delay = false;
};

struct dsn_recipient {
  std::string final_recipient{};                   // "user@example.org" (local part quoted or not)
  std::optional<std::string> original_recipient{}; // ORCPT, xtext-decoded: "rfc822;User@Example.org"
  std::optional<notify_flags> notify{};
  std::string status = "5.0.0";                    // RFC 3463 class.subject.detail
  std::string diagnostic{};                        // "smtp; 552 5.2.2 Mailbox full"; empty: none
  std::string action = "failed";                   // failed / delayed / delivered / relayed / expanded
  std::string will_retry_until{};                  // delayed: RFC 5322 date of the last attempt; empty: none
  std::string remote_mta{};                        // the server whose reply decided it: "mx.example.net"; empty: none
};

struct dsn_input {
  std::string reporting_mta;                // our host name: "mx.example.org"
  std::optional<std::string> envelope_id;   // ENVID, xtext-decoded
  std::string arrival_date;                 // RFC 5322 date-time, preformatted
  std::string original_sender;              // "local@domain" (local part quoted or not); empty = <>
  std::string original_message;             // the whole message as queued, CRLF
  dsn_ret ret = dsn_ret::unspecified;
  std::vector<dsn_recipient> recipients;
  // SECURITY: RET=FULL returns at most this many octets of the original;
  // a larger message (or one with lines past 998 octets or NULs, which
  // cannot ride in message/rfc822) is returned as headers only.
  std::size_t max_full_return = 10 * 1024 * 1024;
};

// Does this recipient's NOTIFY ask for a notice of this action? NEVER wins
// over anything listed with it; an absent NOTIFY asks for failed and delayed.
bool wants_notice(dsn_recipient const& r);

// The report for `in` (a bounce; or, when every reported recipient was
// delivered or relayed, a success report worded as one; when every one is
// delayed, a delay warning), or nullopt when none is due: the original sender is
// null (never bounce a bounce, RFC 3461 6.2 / RFC 5321 6.1) or no recipient
// wants a notice (those that do not are left out of the report).
// `message_id` with or without angle brackets; `date` an RFC 5322 date-time;
// `boundary` 1-70 characters of RFC 2046 bcharsnospace (else a fixed
// fallback is used); a suffix is added should it occur in the content.
// Output: CRLF throughout, no line longer than 998 octets. It is 8-bit (and
// needs 8BITMIME or SMTPUTF8 to send on) only when the original or an
// address is; is_8bit() tells.
std::optional<std::string> build_failure_dsn(dsn_input const& in, std::string_view message_id,
                                             std::string_view date, std::string_view boundary);

// The header section of a raw message: up to and including the line end of
// its last field, without the empty line. A message without an empty line
// is all header; one starting with an empty line has an empty header.
std::string_view header_block(std::string_view message);

// Any octet above 127?
bool is_8bit(std::string_view text);

}  // namespace posta::mail::delivery
