// Idempotent delivery (schema/004): the delivering transaction records each
// delivery id with its report, so a retry after a COMMIT of unknown outcome
// finds what was committed and reports it instead of delivering again.
#pragma once

#include "core/db/connection.hpp"
#include "mail/delivery/committer.hpp"

#include <map>
#include <string>
#include <vector>

namespace posta::mail::delivery {

// The reports of the deliveries among `ids` that are already committed.
asio::awaitable<result<std::map<std::string, report>>> committed_earlier(db::connection& c,
                                                                         std::vector<std::string> const& ids);

// The statement that records `ids[i]` with `reports[i]` in the delivering transaction.
db::statement record_deliveries(std::vector<std::string> const& ids, std::vector<report> const& reports);

// A delivery id: 128 random bits, so ids of different messages never meet,
// in uppercase hex: it is the queue id administrators type (`posta queue
// show ID`), so it never starts with '-' or holds anything a shell quotes.
result<std::string> new_delivery_id();

// Refuses a request whose text fields PostgreSQL could not store, naming the
// field; such a job is answered at once and never joins a batch.
std::optional<error> unstorable_field(request const& req);

}  // namespace posta::mail::delivery
