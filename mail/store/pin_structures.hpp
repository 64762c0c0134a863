// Blob rows with the references a transaction adds (blob::store::pin) and the
// parsed structure of each body, for delivery and APPEND alike.
#pragma once

#include "core/blob/blob_store.hpp"

#include <string>
#include <vector>

namespace posta::mail::store {

// structures[i] is the structure JSON of uses[i]'s body (a hash may repeat).
asio::awaitable<result<void>> pin_with_structures(db::connection& c, blob::store const& blobs,
                                                  std::vector<blob::blob_use> const& uses,
                                                  std::vector<std::string> const& structures);

}  // namespace posta::mail::store
