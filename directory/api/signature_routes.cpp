#include "directory/api/signature_routes.hpp"

#include "core/http/router.hpp"
#include "core/settings/settings.hpp"
#include "core/util/async.hpp"
#include "directory/store/signature_values.hpp"

#include <boost/json/object.hpp>

namespace posta::directory::api {
namespace {

// A template that no longer parses (saved before a rule changed) renders as
// empty rather than failing every request.
std::string render(settings::store const& settings, std::string_view key, proto::template_kind kind,
                   proto::signature_values const& values) {
  auto parsed = proto::parse_signature_template(settings.get_string(key), kind);
  return parsed ? proto::render_signature(*parsed, values, kind) : std::string();
}

}  // namespace

void add_signature_routes(http::router& r, db::pool& pool, settings::store const& settings) {
  r.add("GET", "/api/v1/accounts/{address}/signature",
        [&pool, &settings](http::request const&, http::route_params const& p) -> asio::awaitable<http::response> {
          auto values = co_await store::load_signature_values(pool, std::string(p.get("address")));
          if (!values) co_return http::error_response(values.error());
          co_return http::json_response(
              200,
              boost::json::object{{"html", render(settings, "signature.html", proto::template_kind::html, *values)},
                                  {"text", render(settings, "signature.text", proto::template_kind::text, *values)}});
        });
}

void register_signature_validators() {
  for (auto [key, kind] : {std::pair{"signature.html", proto::template_kind::html},
                           std::pair{"signature.text", proto::template_kind::text}})
    settings::register_item_validator(key, [kind](std::string_view value) -> result<void> {
      POSTA_TRY(proto::parse_signature_template(value, kind));
      return {};
    });
}

}  // namespace posta::directory::api
