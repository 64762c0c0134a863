#include "directory/sync/persist_session.hpp"

#include "core/util/crypto_hash.hpp"
#include "directory/sync/fetch.hpp"

#include <algorithm>

namespace posta::directory::sync {

std::string listen_filter(store::source_config const& c) {
  return "(|" + c.users_filter() + c.groups_filter() + ")";
}

bool is_news(ldap::sync_pass const& pass, bool from_cookie) {
  if (from_cookie && pass.complete_refresh) return true;
  return std::any_of(pass.changes.begin(), pass.changes.end(),
                     [](ldap::change const& c) { return c.what != ldap::change::kind::present; });
}

result<bool> offers_content_sync_blocking(store::source_config const& config, std::string password) {
  auto conn = ldap::connection::open_blocking(config.server(), config.bind_dn, password);
  util::cleanse(password);
  if (!conn) return conn.error();
  return offers_content_sync(**conn);
}

session_end listen_blocking(session_args args, std::stop_token stop, std::function<void()> const& on_change) {
  session_end end;
  auto conn = ldap::connection::open_blocking(args.config.server(), args.config.bind_dn, args.password);
  util::cleanse(args.password);
  if (!conn) {
    end.outcome = conn.error();
    return end;
  }
  end.connected = true;
  if (!offers_content_sync(**conn)) {
    end.unsupported = true;
    return end;
  }
  ldap::search_request req;
  req.base = args.base;
  req.filter = listen_filter(args.config);
  req.attributes = {"1.1"};  // RFC 4511 4.5.1.8: no attributes; the pass reads them
  req.page_size = 0;
  bool const from_cookie = !args.cookie.empty();
  end.outcome = (*conn)->persist_blocking(req, args.cookie, stop, [&](ldap::sync_pass&& pass) -> result<void> {
    if (is_news(pass, from_cookie)) on_change();
    return {};
  });
  return end;
}

}  // namespace posta::directory::sync
