// /api/v1/aliases
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

struct alias_fields {
  std::string address;
  std::vector<std::string> targets;
};

result<alias_fields> read_new_alias(boost::json::object const& body) {
  return alias_fields{POSTA_TRY(required_string(body, "address")), POSTA_TRY(required_string_list(body, "targets"))};
}

}  // namespace

void add_alias_routes(http::router& r, context& ctx) {
  add_entity_routes<identity::alias_info>(
      r, ctx, {"/api/v1/aliases", "address", "aliases", listed_by_domain(&identity::store::list_aliases),
               &identity::store::get_alias, &identity::store::delete_alias});
  r.add("POST", "/api/v1/aliases", [&ctx](http::request const& req, http::route_params const&) -> asio::awaitable<http::response> {
    auto fields = read_body(req, read_new_alias);
    if (!fields) co_return field_error(fields.error());
    co_return respond(co_await ctx.identity.create_alias(fields->address, fields->targets), 201);
  });
}

}  // namespace posta::api
