// XEP-0012 section 4: when each local account's last available resource
// went unavailable (schema/018_xmpp_account_data.sql), and what an asker
// may learn of it.
#pragma once

#include "core/db/pool.hpp"
#include "jabber/proto/roster.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace posta::jabber::store {

// DURABILITY: one statement; a crash before it leaves the previous time
// (nothing is acknowledged to anyone).
asio::awaitable<result<void>> record_unavailable(db::pool& pool, std::string const& account, std::string const& status);

struct last_activity {
  proto::subscription asker_sub = proto::subscription::none;  // the asker's roster item for the contact
  std::optional<std::int64_t> seconds;                        // nullopt: never went unavailable
  std::string status;
};

// nullopt: `contact` is no local account.
asio::awaitable<result<std::optional<last_activity>>> load_last_activity(db::pool& pool, std::string const& asker,
                                                                         std::string const& contact);

}  // namespace posta::jabber::store
