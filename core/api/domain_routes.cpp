// /api/v1/domains
#include "core/api/api.hpp"
#include "core/api/fields.hpp"
#include "core/api/views.hpp"
#include "core/http/router.hpp"
#include "core/util/async.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace posta::api {

void add_domain_routes(http::router& r, context& ctx) {
  r.add("GET", "/api/v1/domains", [&ctx](http::request const&, http::route_params const&) -> asio::awaitable<http::response> {
    co_return respond_list(co_await ctx.identity.list_domains(), "domains");
  });
  r.add("POST", "/api/v1/domains", [&ctx](http::request const& req, http::route_params const&) -> asio::awaitable<http::response> {
    auto body = http::parse_json_body(req);
    if (!body) co_return http::bad_request_response(body.error());
    auto name = required_string(*body, "name");
    if (!name) co_return field_error(name.error());
    auto description = optional_string(*body, "description");
    if (!description) co_return field_error(description.error());
    co_return respond(co_await ctx.identity.create_domain(*name, description->value_or("")), 201);
  });
  r.add("GET", "/api/v1/domains/{name}", [&ctx](http::request const&, http::route_params const& p) -> asio::awaitable<http::response> {
    co_return respond(co_await ctx.identity.get_domain(std::string(p.get("name"))));
  });
  r.add("PATCH", "/api/v1/domains/{name}", [&ctx](http::request const& req, http::route_params const& p) -> asio::awaitable<http::response> {
    auto body = http::parse_json_body(req);
    if (!body) co_return http::bad_request_response(body.error());
    auto description = optional_string(*body, "description");
    if (!description) co_return field_error(description.error());
    auto catch_all = optional_string(*body, "catch_all");
    if (!catch_all) co_return field_error(catch_all.error());
    co_return respond(co_await ctx.identity.update_domain(std::string(p.get("name")), *description, *catch_all));
  });
  r.add("DELETE", "/api/v1/domains/{name}", [&ctx](http::request const&, http::route_params const& p) -> asio::awaitable<http::response> {
    co_return respond_deleted(co_await ctx.identity.delete_domain(std::string(p.get("name"))));
  });
}

}  // namespace posta::api
