// Applies schema/NNN_name.sql migrations at start-up: under an advisory lock
// (several nodes may start at once), each in its own transaction, recorded in
// schema_version.
#pragma once

#include "core/db/connection.hpp"

#include <span>

namespace posta::db {

struct migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// The migrations compiled into the binary from schema/ (generated at build time).
std::span<migration const> builtin_migrations();

// Returns the schema version in force afterwards.
asio::awaitable<result<int>> migrate(connection& conn, std::span<migration const> migrations);

}  // namespace posta::db
