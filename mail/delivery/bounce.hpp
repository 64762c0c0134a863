// Failure notices for messages accepted and then refused by a local mailbox
// (over quota at commit time): an RFC 3464 report delivered to the sender.
#pragma once

#include "core/blob/blob_store.hpp"
#include "mail/delivery/committer.hpp"

#include <string>
#include <vector>

namespace posta::mail::delivery {

// Builds and delivers the DSN when one is due (not for a null sender, nor for
// recipients whose NOTIFY excludes FAILURE). Failures are logged, not returned:
// the original message is already accepted.
asio::awaitable<void> bounce_over_quota(committer& delivery, blob::store const& blobs, std::string const& reporting_mta,
                                        request const& original, std::vector<std::string> const& failed,
                                        std::string const& original_text);

}  // namespace posta::mail::delivery
