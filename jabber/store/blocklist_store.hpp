// XEP-0191 blocklists in PostgreSQL (schema/018_xmpp_account_data.sql), by
// account address (= bare JID). Sessions read them through the router's
// blocklist_cache; these queries run on a miss and on each change.
#pragma once

#include "core/db/pool.hpp"
#include "jabber/proto/blocking.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace posta::jabber::store {

asio::awaitable<result<proto::blocklist>> load_blocklist(db::pool& pool, std::string const& account);

enum class block_outcome { done, full, no_account };

// DURABILITY: `done` means committed; the result (and the pushes) go out
// only after it. SECURITY: a list never grows past `max_items` (two racing
// requests of one account may pass it by the size of the other).
asio::awaitable<result<block_outcome>> block_jids(db::pool& pool, std::string const& account,
                                                  std::vector<std::string> const& jids, std::int64_t max_items);
// No `jids`: every entry goes (XEP-0191 3.5).
asio::awaitable<result<void>> unblock_jids(db::pool& pool, std::string const& account,
                                           std::vector<std::string> const& jids);

}  // namespace posta::jabber::store
