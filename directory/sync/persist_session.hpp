// One listening session of persist mode (issue 12 "OpenLDAP … persist
// mode"): a connection holding an RFC 4533 refreshAndPersist search open on
// one base DN, used only as a change notifier — it asks for no attributes
// and keeps no cookie; the changes themselves are read and applied by an
// ordinary incremental pass (engine::sync) from the durable cookie.
// Blocking: runs on a thread of its own (persist.cpp), never on the pool.
#pragma once

#include "core/util/result.hpp"
#include "directory/ldap/connection.hpp"
#include "directory/store/source_config.hpp"

#include <functional>
#include <stop_token>
#include <string>

namespace posta::directory::sync {

struct session_args {
  store::source_config config;
  std::string password;  // cleansed once bound
  std::string base;
  std::string cookie;  // the durable one of this base: the refresh tells what happened since
};

struct session_end {
  result<void> outcome;      // why it ended: an error, or success when stopped
  bool connected = false;    // it got as far as a bound connection
  bool unsupported = false;  // the server offers no content synchronisation: poll instead
};

// The filter a session listens with: anything the source reads as a user
// or a group (an entry leaving it comes as a delete).
std::string listen_filter(store::source_config const& c);

// Whether a delivery of the persistent search is news a pass must read:
// an added, modified or deleted entry, or a refresh from a cookie that ended
// with a present phase (then entries not named are gone).
bool is_news(ldap::sync_pass const& pass, bool from_cookie);

// Whether the source's server offers content synchronisation (connects and
// reads its root DSE): asked before a source's first pass, which would
// otherwise be a full one made for nothing.
result<bool> offers_content_sync_blocking(store::source_config const& config, std::string password);

// Listens until `stop` is requested or the search ends; calls `on_change`
// (on this thread) for every delivery that is news.
session_end listen_blocking(session_args args, std::stop_token stop, std::function<void()> const& on_change);

}  // namespace posta::directory::sync
