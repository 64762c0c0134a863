// Reading a source's users for one sync pass (blocking: run it on the
// blocking pool). Where the server offers RFC 4533 content synchronisation
// (OpenLDAP's syncprov), a pass from a stored cookie returns only what
// changed since; for Active Directory, DirSync from stored cookies does the
// same (ad_fetch.cpp); otherwise, and for the first pass, a paged search
// returns everything.
#pragma once

#include "directory/proto/sync_plan.hpp"
#include "directory/store/source_config.hpp"

#include <map>
#include <string>
#include <vector>

namespace posta::directory::sync {

// The state incremental passes start from, kept durably between passes:
// RFC 4533 cookies under "BASE" and "groups BASE"; AD DirSync cookies under
// "dirsync NC" and "dirsync groups NC" (NC: the naming context holding the
// bases), and marks such as "dirsync refused".
using cookies = std::map<std::string, std::string>;

struct fetched {
  std::vector<proto::directory_user> users;  // new or changed entries (all of them when complete)
  std::vector<std::string> unchanged_uuids;  // named by the server as still there, unchanged
  std::vector<std::string> deleted_uuids;    // gone, or no longer an account (lost their mail)
  bool complete = true;                      // users + unchanged are everything the directory has
  // Read from stored cookies: only what changed came with its attributes
  // (complete may still be true: an RFC 4533 present phase, or AD's listing
  // of who is still there when tombstones cannot be read).
  bool from_cookie = false;
  std::vector<proto::plan_note> skipped;
  std::string uri;
  std::size_t entries = 0;
  sync::cookies next_cookies;                  // empty when the server has no content synchronisation
  struct group_changes {
    std::vector<proto::directory_group> changed;  // new or changed (all of them when complete)
    std::vector<std::string> deleted, unchanged;  // UUIDs
    bool complete = true;
    bool empty() const { return changed.empty() && deleted.empty() && !complete; }
  } groups;

  bool incremental() const { return !complete || from_cookie; }
  // An incremental pass that found nothing at all: no planning, no writes.
  bool nothing_changed() const { return !complete && users.empty() && deleted_uuids.empty() && groups.empty(); }
};

// Every group of the source after this pass: `stored` (as the last pass left
// them) with the pass's changes applied.
std::vector<proto::directory_group> merge_groups(std::vector<proto::directory_group> stored,
                                                 fetched::group_changes const& changes);

// Whether two lists hold the same groups, in any order: a pass that lists
// every group (AD without tombstones) need not store them again.
bool same_groups(std::vector<proto::directory_group> a, std::vector<proto::directory_group> b);

// Whether the server offers RFC 4533 content synchronisation (its root DSE
// lists the control); also what persist mode asks before listening.
bool offers_content_sync(ldap::connection& conn);

result<fetched> fetch_users_blocking(store::source_config const& c, std::string const& password, cookies const& from,
                                     std::int64_t now);

// The cookies as stored in directory_sync_state.cookie, and back.
std::string encode_cookies(cookies const& c);
cookies decode_cookies(std::string const& stored);

// What `posta directory show` says of the stored state: the kind of the
// next pass ("rfc4533", "dirsync", "usn", or "none": a full pass), and per
// key a short readable form of its cookie or USN.
struct incremental_state {
  std::string kind = "none";
  std::map<std::string, std::string> positions;
};
incremental_state describe(cookies const& c);

}  // namespace posta::directory::sync
