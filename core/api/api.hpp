// The admin API (docs/api.md): routes under /api/v1 for identity, settings,
// services, the journal and storage, mounted on the http listener's router.
#pragma once

namespace posta::blob { class store; }
namespace posta::db { class pool; }
namespace posta::http { class router; }
namespace posta::identity { class store; class dkim_keys; }
namespace posta::settings { class store; }
namespace posta::service { class registry; }

namespace posta::api {

struct context {
  db::pool& pool;
  identity::store& identity;
  settings::store& settings;
  service::registry& services;
  blob::store& blobs;
  identity::dkim_keys const& dkim;  // keys of new domains (dkim.sign) and rotation
};

void add_routes(http::router& router, context& ctx);

// Each resource's routes (one file each).
void add_domain_routes(http::router& router, context& ctx);
void add_account_routes(http::router& router, context& ctx);
void add_alias_routes(http::router& router, context& ctx);
void add_group_routes(http::router& router, context& ctx);
void add_settings_routes(http::router& router, context& ctx);
void add_service_routes(http::router& router, context& ctx);
void add_journal_routes(http::router& router, context& ctx);
void add_storage_routes(http::router& router, context& ctx);

}  // namespace posta::api
