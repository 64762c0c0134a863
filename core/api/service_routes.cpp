// /api/v1/services: state of each service; enable and disable at run time.
#include "core/api/api.hpp"
#include "core/http/router.hpp"
#include "core/util/async.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include "core/service/registry.hpp"

namespace posta::api {
namespace {

boost::json::object status_json(service::status const& s) {
  return {{"name", s.name}, {"enabled", s.enabled}, {"state", service::state_name(s.current)}, {"detail", s.detail}};
}

http::response respond(result<service::status> const& r) {
  if (!r) return http::error_response(r.error());
  return http::json_response(200, status_json(*r));
}

}  // namespace

void add_service_routes(http::router& r, context& ctx) {
  r.add("GET", "/api/v1/services", [&ctx](http::request const&, http::route_params const&) -> asio::awaitable<http::response> {
    boost::json::array all;
    for (auto const& s : ctx.services.list()) all.push_back(status_json(s));
    co_return http::json_response(200, boost::json::object{{"services", all}});
  });
  r.add("GET", "/api/v1/services/{name}", [&ctx](http::request const&, http::route_params const& p) -> asio::awaitable<http::response> {
    co_return respond(ctx.services.get(std::string(p.get("name"))));
  });
  r.add("POST", "/api/v1/services/{name}/enable", [&ctx](http::request const&, http::route_params const& p) -> asio::awaitable<http::response> {
    co_return respond(co_await ctx.services.enable(std::string(p.get("name"))));
  });
  r.add("POST", "/api/v1/services/{name}/disable", [&ctx](http::request const&, http::route_params const& p) -> asio::awaitable<http::response> {
    co_return respond(co_await ctx.services.disable(std::string(p.get("name"))));
  });
}

}  // namespace posta::api
