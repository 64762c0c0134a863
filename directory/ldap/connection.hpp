// The one place that includes libldap (STYLE.md): a connection to one of a
// source's directory servers, with fail-over across its URIs, StartTLS or
// ldaps:// with certificate verification, simple binds, paged searches
// (RFC 2696), RFC 4533 content synchronisation and AD's DirSync
// (1.2.840.113556.1.4.841). Every call here blocks the calling thread: call
// them only through net::run_blocking (or on a thread of their own), never on
// an io thread. Answers come back as directory::proto types. connection.cpp
// connects, binds and searches; content_sync.cpp and dirsync.cpp hold the
// incremental protocols, on the shared plumbing of libldap_helpers.hpp.
#pragma once

#include "core/util/result.hpp"
#include "directory/proto/entry.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace posta::directory::ldap {

struct server_options {
  std::vector<std::string> uris;  // "ldap://host:port" or "ldaps://host:port", tried in order
  // SECURITY: an ldap:// URI is upgraded with StartTLS before any bind; only
  // when this is false (loopback test servers, an administrator's explicit
  // choice) does a bind travel in clear.
  bool start_tls = true;
  bool tls_verify = true;  // SECURITY: verify the server certificate and its name
  std::string ca_file;     // empty: the system's trust store
  // SECURITY: bounds connecting (per URI) and every operation; past it the
  // call fails with errc::unavailable, a temporary failure.
  std::chrono::milliseconds timeout{10'000};
};

enum class scope { base, one_level, subtree };

struct search_request {
  std::string base;
  scope where = scope::subtree;
  std::string filter = "(objectClass=*)";
  std::vector<std::string> attributes;  // empty: all user attributes; operational ones by name
  int page_size = 500;                  // RFC 2696 paged results; 0: no paging control
  // SECURITY: a search that returns more entries fails (errc::limit_exceeded)
  // instead of growing memory without bound.
  std::size_t max_entries = 200'000;
  bool show_deleted = false;  // AD's show-deleted control (1.2.840.113556.1.4.417)
};

// The outcome of a bind the directory answered (a refusal is an answer, not
// an error): the LDAP result code (0 success, 49 invalidCredentials …) and the
// server's diagnostic message (AD's "… data 52e …").
struct bind_answer {
  int code = 0;
  std::string diagnostic;
  bool ok() const noexcept { return code == 0; }
};

// One change of a content synchronisation (RFC 4533) or DirSync pass.
//   present:  the entry exists. In a pass without a cookie every entry comes
//             so, with its attributes. From a cookie, RFC 4533's present
//             phase names unchanged entries so: a DN and no attributes, or
//             (syncIdSet) only the uuid and an empty entry.
//   modified: added or changed since the cookie, with the attributes asked
//             for (DirSync: only the changed ones, plus objectGUID).
//   deleted:  gone; RFC 4533 may tell only the uuid (empty entry); DirSync
//             gives the tombstone (isDeleted TRUE, DN under Deleted Objects).
struct change {
  enum class kind { present, modified, deleted };
  kind what = kind::present;
  std::string uuid;    // entryUUID (RFC 4533 syncUUID) or objectGUID, in proto's text form
  proto::entry entry;  // for deleted: the DN and what the server still tells
};

struct sync_pass {
  std::vector<change> changes;
  std::string cookie;  // to keep durably and hand to the next pass
  // RFC 4533 refreshDeletes=FALSE, any pass without a cookie (also the one
  // made when the server answers e-syncRefreshRequired to an old cookie), a
  // first DirSync pass: every entry not listed is gone, the caller must
  // compare against what it knows.
  bool complete_refresh = false;
};

class connection {
 public:
  // Connects to the first URI that answers within the timeout (StartTLS
  // where asked) and binds with `bind_name` (a DN, or a UPN for AD) and
  // `password`; both empty: no bind (anonymous). errc::unavailable when no
  // URI answers, errc::permission_denied when the service account's bind is
  // refused (its bind_answer is in the context).
  static result<std::unique_ptr<connection>> open_blocking(server_options const& options, std::string_view bind_name,
                                                           std::string_view password);
  ~connection();
  connection(connection const&) = delete;
  connection& operator=(connection const&) = delete;

  // A refusal leaves the connection usable (anonymous until the next bind);
  // a success leaves it bound as `name`.
  // SECURITY: refuses an empty password itself (an empty simple bind is an
  // anonymous bind, RFC 4513 5.1.2) with code 49 and no request sent.
  result<bind_answer> bind_blocking(std::string_view name, std::string_view password);

  // Calls `each` for every entry, page by page; a result that is an error
  // from `each` stops the search and is returned. Referrals are not chased.
  result<void> search_blocking(search_request const& request, std::function<result<void>(proto::entry&&)> const& each);
  result<std::vector<proto::entry>> search_all_blocking(search_request const& request);

  // The root DSE (supportedControl, highestCommittedUSN, …).
  result<proto::entry> root_dse_blocking();

  // RFC 4533 refreshOnly with `cookie` (empty: a full refresh). No paging
  // (slapd refuses it with sync): the service account needs a size limit
  // above the directory's size on the server; max_entries bounds us.
  result<sync_pass> content_sync_blocking(search_request const& request, std::string const& cookie);
  // RFC 4533 refreshAndPersist, on a thread of its own: the refresh from
  // `cookie`, handed to `on_change` once when it ends (complete_refresh as
  // content_sync_blocking would say), then every change as the server sends
  // it, each with the cookie to keep after it. Returns when `stop` is
  // requested (seen within `poll`), or with the error that ended it (the
  // server ending the search, the connection dropping, an error from
  // `on_change`). A server that goes silent without closing the connection
  // is not noticed here: the caller bounds the session's life.
  result<void> persist_blocking(search_request const& request, std::string const& cookie, std::stop_token stop,
                                std::function<result<void>(sync_pass&&)> const& on_change,
                                std::chrono::milliseconds poll = std::chrono::milliseconds(200));

  // AD DirSync from `cookie` (empty: everything), object-security flag set
  // so a non-administrator service account may use it (such an account is
  // shown no tombstones). request.base must be a naming context (AD and
  // Samba refuse others: unwillingToPerform); the filter is applied to the
  // objects as they are now, and only the changed ones of the requested
  // attributes come (a rename: `name`).
  result<sync_pass> dirsync_blocking(search_request const& request, std::string const& cookie);

  std::string const& uri() const noexcept;  // the URI that answered

 private:
  struct impl;
  explicit connection(std::unique_ptr<impl> i);
  std::unique_ptr<impl> impl_;
};

}  // namespace posta::directory::ldap
