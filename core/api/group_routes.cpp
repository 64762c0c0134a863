// /api/v1/groups
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

struct group_fields {
  std::string address;
  std::optional<std::string> name;
};

result<group_fields> read_new_group(boost::json::object const& body) {
  return group_fields{POSTA_TRY(required_string(body, "address")), POSTA_TRY(optional_string(body, "name"))};
}

result<std::string> read_member(boost::json::object const& body) { return required_string(body, "address"); }

}  // namespace

void add_group_routes(http::router& r, context& ctx) {
  add_entity_routes<identity::group_info>(
      r, ctx, {"/api/v1/groups", "address", "groups", listed_by_domain(&identity::store::list_groups),
               &identity::store::get_group, &identity::store::delete_group});
  add_create_route(r, "/api/v1/groups", read_new_group,
                   [&ctx](group_fields f) { return ctx.identity.create_group(f.address, f.name.value_or("")); });
  r.add("POST", "/api/v1/groups/{address}/members", [&ctx](http::request const& req, http::route_params const& p) -> asio::awaitable<http::response> {
    auto member = read_body(req, read_member);
    if (!member) co_return field_error(member.error());
    co_return respond(co_await ctx.identity.add_group_member(std::string(p.get("address")), *member));
  });
  r.add("DELETE", "/api/v1/groups/{address}/members/{member}", [&ctx](http::request const&, http::route_params const& p) -> asio::awaitable<http::response> {
    co_return respond(co_await ctx.identity.remove_group_member(std::string(p.get("address")), std::string(p.get("member"))));
  });
}

}  // namespace posta::api
