// Storage figures from PostgreSQL's own accounting: sizes from
// pg_total_relation_size, row and vacuum counters from pg_stat_user_tables
// (the statistics collector's estimates, as autovacuum itself uses them).
#include "core/blob/usage.hpp"

namespace posta::blob {

asio::awaitable<result<usage>> storage_usage(db::connection& conn) {
  usage out;
  POSTA_CO_TRY_ASSIGN(auto totals, co_await conn.q(
      "SELECT pg_database_size(current_database()), "
      "count(*) FILTER (WHERE body IS NOT NULL), coalesce(sum(size) FILTER (WHERE body IS NOT NULL), 0), "
      "count(*) FILTER (WHERE body IS NULL), coalesce(sum(size) FILTER (WHERE body IS NULL), 0), "
      "count(*) FILTER (WHERE refcount = 0) FROM blobs"));
  out.database_bytes = totals.i64(0, 0);
  out.bodies_in_database = totals.i64(0, 1);
  out.body_bytes_in_database = totals.i64(0, 2);
  out.bodies_in_files = totals.i64(0, 3);
  out.body_bytes_in_files = totals.i64(0, 4);
  out.unreferenced_bodies = totals.i64(0, 5);
  POSTA_CO_TRY_ASSIGN(auto tables, co_await conn.q(
      "SELECT relname, pg_total_relation_size(relid), n_live_tup, n_dead_tup, autovacuum_count, "
      "coalesce(to_char(last_autovacuum AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '') "
      "FROM pg_stat_user_tables WHERE relname = ANY('{blobs,blob_structures,messages,mailboxes,queue,deliveries}') "
      "ORDER BY pg_total_relation_size(relid) DESC"));
  for (int i = 0; i < tables.size(); ++i)
    out.tables.push_back({tables.str(i, 0), tables.i64(i, 1), tables.i64(i, 2), tables.i64(i, 3), tables.i64(i, 4),
                          tables.str(i, 5)});
  co_return out;
}

}  // namespace posta::blob
