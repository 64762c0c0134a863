// The search API (docs/api.md):
//   GET  /api/v1/accounts/{address}/search?q=&mailbox=&page=&page_size=
//        hits newest first: mailbox, UID, date, from, subject, snippet;
//   POST /api/v1/search/reindex {"account": ADDRESS?}
//        rebuild one account's index or every one, online.
#pragma once

namespace posta::db {
class pool;
}
namespace posta::http {
class router;
}
namespace posta::identity {
class store;
}

namespace posta::mail::index {

class indexer;

void add_search_routes(http::router& router, db::pool& pool, identity::store& identity, indexer& idx);

}  // namespace posta::mail::index
