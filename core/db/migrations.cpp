// Migration runner: idempotent, concurrent-safe, all-or-nothing per file.
#include "core/db/migrations.hpp"

#include "core/journal/log.hpp"

namespace posta::db {
namespace {

// Any constant shared by all Posta nodes; identifies the migration lock.
constexpr std::int64_t migration_lock_key = 0x706f737461;  // "posta"

asio::awaitable<result<int>> apply_pending(connection& conn, std::span<migration const> migrations) {
  POSTA_CO_TRY(co_await conn.execute(
      "CREATE TABLE IF NOT EXISTS schema_version ("
      " version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"));
  POSTA_CO_TRY_ASSIGN(auto current, co_await conn.query("SELECT coalesce(max(version), 0) FROM schema_version"));
  int version = static_cast<int>(current.i64(0, 0));
  for (auto const& m : migrations) {
    if (m.version <= version) continue;
    POSTA_CO_TRY(co_await conn.execute("BEGIN"));
    auto applied = co_await conn.execute(std::string(m.sql));
    if (applied) {
      auto recorded = co_await conn.q("INSERT INTO schema_version(version, name) VALUES ($1, $2)", m.version, m.name);
      if (!recorded) applied = recorded.error();
    }
    if (!applied) {
      co_await conn.execute("ROLLBACK");
      co_return make_error(applied.error().code,
                           "migration " + std::to_string(m.version) + " " + std::string(m.name) + ": " +
                               applied.error().context);
    }
    POSTA_CO_TRY(co_await conn.execute("COMMIT"));
    journal::log(journal::level::info, "database schema migrated to {} ({})", m.version, m.name);
    version = m.version;
  }
  co_return version;
}

}  // namespace

asio::awaitable<result<int>> migrate(connection& conn, std::span<migration const> migrations) {
  POSTA_CO_TRY(co_await conn.query("SELECT pg_advisory_lock($1)", make_params(migration_lock_key)));
  auto version = co_await apply_pending(conn, migrations);
  co_await conn.query("SELECT pg_advisory_unlock($1)", make_params(migration_lock_key));
  co_return version;
}

}  // namespace posta::db
