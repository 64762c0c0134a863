// /api/v1/domains
#include "core/api/api.hpp"
#include "core/api/entity_routes.hpp"
#include "core/api/fields.hpp"
#include "core/api/views.hpp"
#include "core/http/router.hpp"
#include "core/identity/dkim.hpp"
#include "core/settings/settings.hpp"
#include "core/util/async.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace posta::api {
namespace {

struct domain_fields {
  std::string name;
  std::optional<std::string> description;
  std::optional<std::string> catch_all;
  std::optional<bool> shared_roster;  // xmpp.shared_roster
};

result<domain_fields> read_new_domain(boost::json::object const& body) {
  return domain_fields{
      POSTA_TRY(required_string(body, "name")), POSTA_TRY(optional_string(body, "description")), {}, {}};
}

result<domain_fields> read_domain_update(boost::json::object const& body) {
  return domain_fields{{},
                       POSTA_TRY(optional_string(body, "description")),
                       POSTA_TRY(optional_string(body, "catch_all")),
                       POSTA_TRY(optional_bool(body, "shared_roster"))};
}

}  // namespace

void add_domain_routes(http::router& r, context& ctx) {
  add_entity_routes<identity::domain_info>(
      r, ctx, {"/api/v1/domains", "name", "domains",
               [](identity::store& s, http::request const&) { return s.list_domains(); },
               &identity::store::get_domain, &identity::store::delete_domain});
  add_create_route(r, "/api/v1/domains", read_new_domain, [&ctx](domain_fields f) {
    identity::dkim_keys const* dkim = nullptr;
    if (ctx.settings.get_bool("dkim.sign")) dkim = &ctx.dkim;
    return ctx.identity.create_domain(f.name, f.description.value_or(""), dkim);
  });
  // The old key is retired, not deleted: mail signed with it may still be in flight.
  r.add("POST", "/api/v1/domains/{name}/dkim/rotate",
        [&ctx](http::request const&, http::route_params const& p) -> asio::awaitable<http::response> {
          std::string name(p.get("name"));
          auto rotated = co_await ctx.dkim.rotate(name);
          if (!rotated) co_return http::error_response(rotated.error());
          co_return respond(co_await ctx.identity.get_domain(name));
        });
  r.add("PATCH", "/api/v1/domains/{name}", [&ctx](http::request const& req, http::route_params const& p) -> asio::awaitable<http::response> {
    auto fields = read_body(req, read_domain_update);
    if (!fields) co_return field_error(fields.error());
    co_return respond(co_await ctx.identity.update_domain(std::string(p.get("name")), fields->description,
                                                          fields->catch_all, fields->shared_roster));
  });
}

}  // namespace posta::api
