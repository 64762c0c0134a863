// XEP-0160 offline messages in PostgreSQL (schema/017_xmpp_offline.sql,
// the per-account counter of schema/021_xmpp_counted_bounds.sql):
// kept per account up to a bound, handed out in order, deleted once handed.
#pragma once

#include "core/db/pool.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace posta::jabber::store {

enum class offline_outcome { stored, full, no_account };

// DURABILITY: `stored` means committed (one statement, its own
// transaction), so the message survives a crash from then on.
// SECURITY: at most `max_messages` wait per account, exactly, however many
// senders store at once (the counter row of schema/021).
asio::awaitable<result<offline_outcome>> store_offline(db::pool& pool, std::string const& account,
                                                       std::string const& stanza, std::int64_t max_messages);

struct offline_message {
  std::int64_t id = 0;
  std::string stanza;
};
asio::awaitable<result<std::vector<offline_message>>> offline_messages(db::pool& pool, std::string const& account);
asio::awaitable<result<void>> delete_offline(db::pool& pool, std::vector<std::int64_t> const& ids);

}  // namespace posta::jabber::store
