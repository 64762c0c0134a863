// Migration runner: idempotent, concurrent-safe, all-or-nothing per file.
#include "core/db/migrations.hpp"

#include "core/journal/log.hpp"

#include <algorithm>
#include <set>

namespace posta::db {
namespace {

// Any constant shared by all Posta nodes; identifies the migration lock.
constexpr std::int64_t migration_lock_key = 0x706f737461;  // "posta"

asio::awaitable<result<int>> apply_pending(connection& conn, std::span<migration const> migrations) {
  POSTA_CO_TRY(co_await conn.execute(
      "CREATE TABLE IF NOT EXISTS schema_version ("
      " version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"));
  // Numbers are handed out ahead of time to work merged in any order (005
  // may arrive after 007), so every migration not yet recorded is applied,
  // in order, rather than only those above the highest one.
  POSTA_CO_TRY_ASSIGN(auto applied_rows, co_await conn.query("SELECT version FROM schema_version"));
  std::set<int> done;
  for (int i = 0; i < applied_rows.size(); ++i) done.insert(static_cast<int>(applied_rows.i64(i, 0)));
  int version = done.empty() ? 0 : *done.rbegin();
  for (auto const& m : migrations) {
    if (done.count(m.version)) continue;
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
    version = std::max(version, m.version);
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
