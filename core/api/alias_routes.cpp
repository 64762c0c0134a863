// /api/v1/aliases
#include "core/api/api.hpp"
#include "core/api/fields.hpp"
#include "core/api/views.hpp"
#include "core/http/router.hpp"
#include "core/util/async.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace posta::api {

void add_alias_routes(http::router& r, context& ctx) {
  r.add("GET", "/api/v1/aliases", [&ctx](http::request const& req, http::route_params const&) -> asio::awaitable<http::response> {
    co_return respond_list(co_await ctx.identity.list_aliases(domain_filter(req)), "aliases");
  });
  r.add("POST", "/api/v1/aliases", [&ctx](http::request const& req, http::route_params const&) -> asio::awaitable<http::response> {
    auto body = http::parse_json_body(req);
    if (!body) co_return http::bad_request_response(body.error());
    auto address = required_string(*body, "address");
    if (!address) co_return field_error(address.error());
    auto targets = required_string_list(*body, "targets");
    if (!targets) co_return field_error(targets.error());
    co_return respond(co_await ctx.identity.create_alias(*address, *targets), 201);
  });
  r.add("GET", "/api/v1/aliases/{address}", [&ctx](http::request const&, http::route_params const& p) -> asio::awaitable<http::response> {
    co_return respond(co_await ctx.identity.get_alias(std::string(p.get("address"))));
  });
  r.add("DELETE", "/api/v1/aliases/{address}", [&ctx](http::request const&, http::route_params const& p) -> asio::awaitable<http::response> {
    co_return respond_deleted(co_await ctx.identity.delete_alias(std::string(p.get("address"))));
  });
}

}  // namespace posta::api
