// CardDAV (RFC 6352) on the HTTP listeners, under /dav and
// /.well-known/carddav: authenticates each request with HTTP Basic through
// the shared authenticator, resolves the path (proto/dav_path) and hands it
// to the method's file (propfind.cpp, report.cpp, cards.cpp,
// collections.cpp).
#pragma once

#include "addressbook/dav/login_cache.hpp"
#include "core/http/router.hpp"

namespace posta::auth { class authenticator; }
namespace posta::db { class pool; }
namespace posta::settings { class store; }

namespace posta::addressbook::dav {

struct context {
  db::pool& pool;
  auth::authenticator& authenticator;
  settings::store const& settings;
  login_cache logins{};
};

// Checks addressbook.gal_scope when it is saved ("domain" or "organisation").
void register_setting_validators();

// Mounts /dav and /.well-known/carddav on `r`; `ctx` outlives the router.
void mount_carddav(http::router& r, context& ctx);

}  // namespace posta::addressbook::dav
