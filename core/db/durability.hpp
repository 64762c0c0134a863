// Start-up check of the database's own durability: a server running with
// fsync = off acknowledges commits it can lose in a power cut.
#pragma once

#include "core/db/connection.hpp"

namespace posta::db {

// DURABILITY: fails (refusing start-up) when the server runs with fsync = off,
// unless `allow_fsync_off` (bootstrap [database] allow_fsync_off, for tests).
asio::awaitable<result<void>> check_server_durability(connection& conn, bool allow_fsync_off);

}  // namespace posta::db
