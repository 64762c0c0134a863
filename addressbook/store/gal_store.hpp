// What the global address list shows (issue 14 "GAL"): the enabled accounts
// not hidden from it, and the groups, of the user's domain or of the whole
// organisation (addressbook.gal_scope), read from PostgreSQL at each request
// so directory syncs and identity changes show at once.
#pragma once

#include "addressbook/proto/gal_card.hpp"
#include "core/db/pool.hpp"

#include <vector>

namespace posta::addressbook::store {

// SECURITY: the largest list one request builds (an organisation-wide GAL).
inline constexpr int max_gal_entries = 100'000;

asio::awaitable<result<std::vector<proto::gal_entry>>> load_gal(db::pool& pool, std::int64_t account_id,
                                                                bool organisation);

}  // namespace posta::addressbook::store
