// /api/v1/directory/sources: directory sources and their sync (issue 12,
// docs/api.md), on the admin API's router.
#pragma once

namespace posta::http {
class router;
}
namespace posta::directory::store {
class source_store;
}
namespace posta::directory::sync {
class engine;
}

namespace posta::directory::api {

void add_source_routes(http::router& router, store::source_store& sources, sync::engine& engine);

}  // namespace posta::directory::api
