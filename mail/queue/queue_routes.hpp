// /api/v1/queue (docs/api.md): the mail queue of queue_admin.hpp over HTTP.
#pragma once

namespace posta::db {
class pool;
}
namespace posta::http {
class router;
}

namespace posta::mail::queue {

void add_queue_routes(http::router& router, db::pool& pool);

}  // namespace posta::mail::queue
