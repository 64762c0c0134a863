// A queued transaction as the SMTP client sends it: the stored addresses
// and DSN parameters (RFC 3461: ENVID, RET, NOTIFY, ORCPT are passed on)
// parsed back into the client's types. A stored address that no longer
// parses (it cannot happen for rows the SMTP server wrote) refuses only its
// own recipient. Pure.
#pragma once

#include "mail/queue/grouping.hpp"
#include "mail/smtp/client/connection.hpp"

#include <utility>
#include <vector>

namespace posta::mail::queue {

struct envelope {
  smtp::client::outbound_message message;            // recipients in transaction order, minus the refused
  std::vector<std::size_t> sent;                     // the transaction index of each message recipient
  std::vector<std::pair<std::size_t, smtp::proto::reply>> refused;  // index and why
  std::optional<smtp::proto::reply> sender_refused;  // the sender does not parse: every recipient fails
};

envelope envelope_of(outbound_transaction const& t, smtp::client::body_source* body);

}  // namespace posta::mail::queue
