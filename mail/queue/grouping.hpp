// How claimed recipients become SMTP transactions: recipients of the same
// message (same body, sender and DSN envelope) for the same destination
// travel in one transaction, up to the client's pipelining bound, so a
// message to ten people at one domain is sent once (RFC 5321 3.3). Pure.
#pragma once

#include "mail/queue/queued.hpp"

#include <map>
#include <string>
#include <vector>

namespace posta::mail::queue {

struct outbound_transaction {
  std::vector<queued_recipient> recipients;  // at least one; all share the message fields
  queued_recipient const& message() const { return recipients.front(); }
};

// `destination_of` names where a recipient goes (its domain, or the relay
// host for everything). Transactions keep the order of `rows` by their
// first recipient.
template <class DestinationOf>
std::map<std::string, std::vector<outbound_transaction>> group_by_destination(std::vector<queued_recipient> rows,
                                                                              DestinationOf destination_of,
                                                                              std::size_t max_recipients);

// The message fields that must be equal for two recipients to share a transaction.
bool same_message(queued_recipient const& a, queued_recipient const& b);

template <class DestinationOf>
std::map<std::string, std::vector<outbound_transaction>> group_by_destination(std::vector<queued_recipient> rows,
                                                                              DestinationOf destination_of,
                                                                              std::size_t max_recipients) {
  std::map<std::string, std::vector<outbound_transaction>> out;
  for (auto& row : rows) {
    auto& list = out[destination_of(row)];
    auto it = list.begin();
    for (; it != list.end(); ++it)
      if (it->recipients.size() < max_recipients && same_message(it->message(), row)) break;
    if (it == list.end()) list.push_back({{std::move(row)}});
    else it->recipients.push_back(std::move(row));
  }
  return out;
}

}  // namespace posta::mail::queue
