// /api/v1/settings: runtime settings, applied live.
#include "core/api/api.hpp"
#include "core/api/fields.hpp"
#include "core/http/router.hpp"
#include "core/util/async.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include "core/settings/settings.hpp"

namespace posta::api {
namespace {

boost::json::object setting_json(settings::store const& s, settings::definition const& d) {
  // SECURITY: a secret is reported as set or not, never its value.
  auto value = settings::is_secret(d) ? boost::json::value(s.get_string(d.key).empty() ? "" : "(set)") : s.get(d.key);
  return {{"key", d.key},
          {"value", value},
          {"default", d.default_value},
          {"type", settings::kind_name(d.type)},
          {"description", d.description}};
}

}  // namespace

void add_settings_routes(http::router& r, context& ctx) {
  r.add("GET", "/api/v1/settings", [&ctx](http::request const&, http::route_params const&) -> asio::awaitable<http::response> {
    boost::json::array all;
    for (auto const& d : settings::definitions()) all.push_back(setting_json(ctx.settings, d));
    co_return http::json_response(200, boost::json::object{{"settings", all}});
  });
  r.add("GET", "/api/v1/settings/{key}", [&ctx](http::request const&, http::route_params const& p) -> asio::awaitable<http::response> {
    auto const* d = settings::find_definition(p.get("key"));
    if (!d) co_return http::error_response(404, "not_found", "setting " + std::string(p.get("key")) + ": not found");
    co_return http::json_response(200, setting_json(ctx.settings, *d));
  });
  r.add("PUT", "/api/v1/settings/{key}", [&ctx](http::request const& req, http::route_params const& p) -> asio::awaitable<http::response> {
    auto body = http::parse_json_body(req);
    if (!body) co_return http::bad_request_response(body.error());
    auto const* value = body->if_contains("value");
    if (!value) co_return http::error_response(400, "bad_request", "field 'value' is required");
    std::string key(p.get("key"));
    if (auto set = co_await ctx.settings.set(key, *value); !set) co_return http::error_response(set.error());
    co_return http::json_response(200, setting_json(ctx.settings, *settings::find_definition(key)));
  });
}

}  // namespace posta::api
