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
  add_create_route(r, "/api/v1/aliases", read_new_alias,
                   [&ctx](alias_fields f) { return ctx.identity.create_alias(f.address, f.targets); });
}

}  // namespace posta::api
