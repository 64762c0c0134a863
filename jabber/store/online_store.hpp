// The available resources of this node in PostgreSQL (schema/021): written
// when a resource sends its initial presence and removed when it goes
// unavailable (RFC 6121 4.2, 4.5), so that a node restarted after a crash
// can end the presence that its killed sessions never ended (XEP-0012 4:
// the last activity of those accounts is then the restart).
#pragma once

#include "core/db/pool.hpp"

#include <cstdint>
#include <string>

namespace posta::jabber::store {

// `token`: the session's, so that only it removes the row again.
asio::awaitable<result<void>> record_online(db::pool& pool, std::string const& node, std::string const& account,
                                            std::string const& resource, std::string const& token);
asio::awaitable<result<void>> record_offline(db::pool& pool, std::string const& account, std::string const& resource,
                                             std::string const& token);

// At start-up, before the listeners open: the rows an earlier run of `node`
// left (it was killed before its sessions ended) are removed, and accounts
// with no available resource left on any node get their XEP-0012 last
// activity set to now (when the crash happened is unknown; the restart is
// the first moment it is known that they are gone). One statement.
// Returns how many resources were ended.
asio::awaitable<result<std::int64_t>> end_resources_of_earlier_run(db::pool& pool, std::string const& node);

}  // namespace posta::jabber::store
