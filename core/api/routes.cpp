// Mounts the admin API and the readiness page on the router.
#include "core/api/api.hpp"
#include "core/http/router.hpp"
#include "core/util/async.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace posta::api {

void add_routes(http::router& r, context& ctx) {
  r.guard("/api/");
  add_domain_routes(r, ctx);
  add_account_routes(r, ctx);
  add_alias_routes(r, ctx);
  add_group_routes(r, ctx);
  add_settings_routes(r, ctx);
  add_service_routes(r, ctx);
  add_journal_routes(r, ctx);
  add_storage_routes(r, ctx);
  // GET / answers once the server is ready (the router is mounted last).
  r.add("GET", "/", [](http::request const&, http::route_params const&) -> asio::awaitable<http::response> {
    co_return http::response{200, "text/html; charset=utf-8",
                             "<!doctype html><title>Posta</title><h1>Posta</h1><p>The server is running. "
                             "The admin API is under <code>/api/v1</code>.</p>\n",
                             {}};
  });
}

}  // namespace posta::api
