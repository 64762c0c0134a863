// /api/v1/accounts
#include "core/api/api.hpp"
#include "core/api/entity_routes.hpp"
#include "core/api/fields.hpp"
#include "core/api/views.hpp"
#include "core/http/router.hpp"
#include "core/util/async.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace posta::api {
namespace {

result<identity::new_account> parse_new_account(boost::json::object const& body) {
  identity::new_account spec;
  spec.address = POSTA_TRY(required_string(body, "address"));
  spec.password = POSTA_TRY(required_string(body, "password"));
  spec.display_name = POSTA_TRY(optional_string(body, "display_name")).value_or("");
  spec.quota_bytes = POSTA_TRY(optional_int(body, "quota_bytes")).value_or(0);
  spec.quota_messages = POSTA_TRY(optional_int(body, "quota_messages")).value_or(0);
  spec.enabled = POSTA_TRY(optional_bool(body, "enabled")).value_or(true);
  return spec;
}

result<identity::account_update> parse_update(boost::json::object const& body) {
  identity::account_update u;
  u.password = POSTA_TRY(optional_string(body, "password"));
  u.display_name = POSTA_TRY(optional_string(body, "display_name"));
  u.quota_bytes = POSTA_TRY(optional_int(body, "quota_bytes"));
  u.enabled = POSTA_TRY(optional_bool(body, "enabled"));
  u.quota_messages = POSTA_TRY(optional_int(body, "quota_messages"));
  for (auto const& [key, value] : body)
    if (key != "password" && key != "display_name" && key != "quota_bytes" && key != "enabled" &&
        key != "quota_messages")
      return make_error(errc::protocol_error, "field '" + std::string(key) + "' cannot be changed");
  return u;
}

}  // namespace

void add_account_routes(http::router& r, context& ctx) {
  add_entity_routes<identity::account_info>(
      r, ctx, {"/api/v1/accounts", "address", "accounts", listed_by_domain(&identity::store::list_accounts),
               &identity::store::get_account, &identity::store::delete_account});
  add_create_route(r, "/api/v1/accounts", parse_new_account,
                   [&ctx](identity::new_account spec) { return ctx.identity.create_account(std::move(spec)); });
  r.add("PATCH", "/api/v1/accounts/{address}", [&ctx](http::request const& req, http::route_params const& p) -> asio::awaitable<http::response> {
    auto update = read_body(req, parse_update);
    if (!update) co_return field_error(update.error());
    co_return respond(co_await ctx.identity.update_account(std::string(p.get("address")), std::move(*update)));
  });
}

}  // namespace posta::api
