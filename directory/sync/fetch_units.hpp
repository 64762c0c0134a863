// The organisational units behind the signature variable [ounotes] (issue
// 12): during a pass that read users, the OU entries under the source's
// base DNs are read once and each user gets its unit's description as the
// attribute "ounotes" (proto/org_unit chooses the unit), stored with its
// other directory attributes. Blocking: part of fetch_users_blocking.
#pragma once

#include "directory/ldap/connection.hpp"
#include "directory/proto/mapping.hpp"
#include "directory/store/source_config.hpp"

#include <vector>

namespace posta::directory::sync {

// SECURITY: at most this many OU entries are read per base DN; a directory
// with more fails the pass (limit_exceeded) instead of growing memory.
inline constexpr std::size_t max_org_units = 20'000;

result<void> add_unit_notes_blocking(ldap::connection& conn, store::source_config const& c,
                                     std::vector<proto::directory_user>& users);

}  // namespace posta::directory::sync
