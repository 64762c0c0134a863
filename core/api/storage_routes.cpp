// /api/v1/storage: what stored mail occupies (bodies in the database and in
// files, table sizes, dead rows and autovacuum), and a purge that deletes
// unreferenced bodies now instead of at the next maintenance round (like
// `doveadm purge`). Space freed inside the database is reused by new mail
// once VACUUM (autovacuum) has passed.
#include "core/api/api.hpp"
#include "core/blob/blob_store.hpp"
#include "core/blob/usage.hpp"
#include "core/db/pool.hpp"
#include "core/http/router.hpp"
#include "core/settings/settings.hpp"
#include "core/util/async.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace posta::api {
namespace {

boost::json::object usage_json(blob::usage const& u) {
  boost::json::array tables;
  for (auto const& t : u.tables)
    tables.push_back({{"name", t.name},
                      {"bytes", t.bytes},
                      {"live_rows", t.live_rows},
                      {"dead_rows", t.dead_rows},
                      {"autovacuum_runs", t.autovacuum_runs},
                      {"last_autovacuum", t.last_autovacuum}});
  return {{"database_bytes", u.database_bytes},
          {"bodies_in_database", u.bodies_in_database},
          {"body_bytes_in_database", u.body_bytes_in_database},
          {"bodies_in_files", u.bodies_in_files},
          {"body_bytes_in_files", u.body_bytes_in_files},
          {"unreferenced_bodies", u.unreferenced_bodies},
          {"tables", tables}};
}

asio::awaitable<http::response> show(context& ctx) {
  auto conn = co_await ctx.pool.acquire();
  if (!conn) co_return http::error_response(conn.error());
  auto u = co_await blob::storage_usage(**conn);
  if (!u) co_return http::error_response(u.error());
  co_return http::json_response(200, usage_json(*u));
}

// Bodies unreferenced for longer than blobs.gc_grace_seconds are deleted
// (the grace protects files of deliveries still in progress).
asio::awaitable<http::response> purge(context& ctx) {
  auto conn = co_await ctx.pool.acquire();
  if (!conn) co_return http::error_response(conn.error());
  auto grace = std::chrono::seconds(ctx.settings.get_int("blobs.gc_grace_seconds"));
  auto gc = co_await ctx.blobs.collect_garbage(**conn, grace);
  if (!gc) co_return http::error_response(gc.error());
  co_return http::json_response(200, boost::json::object{{"bodies_deleted", gc->blobs_deleted},
                                                         {"orphan_files_adopted", gc->orphan_files_adopted},
                                                         {"temp_files_deleted", gc->temp_files_deleted},
                                                         {"redundant_files_deleted", gc->redundant_files_deleted},
                                                         {"grace_seconds", grace.count()}});
}

}  // namespace

void add_storage_routes(http::router& r, context& ctx) {
  r.add("GET", "/api/v1/storage", [&ctx](http::request const&, http::route_params const&) { return show(ctx); });
  r.add("POST", "/api/v1/storage/purge",
        [&ctx](http::request const&, http::route_params const&) { return purge(ctx); });
}

}  // namespace posta::api
