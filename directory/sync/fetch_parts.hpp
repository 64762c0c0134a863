// Private to directory/sync: the parts of a pass's read that fetch.cpp
// (paged searches, RFC 4533 content sync) and ad_fetch.cpp (AD's DirSync)
// share. Blocking, like everything behind fetch_users_blocking.
#pragma once

#include "directory/ldap/connection.hpp"
#include "directory/sync/fetch.hpp"

#include <set>
#include <string>

namespace posta::directory::sync::detail {

// Maps user entries into a pass's result.
struct collector {
  proto::attribute_map const& map;
  std::int64_t now;
  fetched& out;
  std::set<std::string> seen{};  // base DNs may overlap

  // `uuid_if_known`: the entry comes from a change list, so an entry that
  // no longer maps to an account (its mail removed) is reported as gone; a
  // full pass sees that by its absence.
  void entry(proto::entry&& e, std::string const& uuid_if_known = {});
};

// Maps group entries into a pass's group changes, with all members of
// large AD groups (ranged retrieval) read first.
class group_collector {
 public:
  group_collector(ldap::connection& conn, proto::attribute_map const& map, fetched::group_changes& into)
      : conn_(conn), map_(map), into_(into) {}
  result<void> entry(proto::entry&& e, std::string const& uuid_if_known = {});

 private:
  ldap::connection& conn_;
  proto::attribute_map const& map_;
  fetched::group_changes& into_;
  std::set<std::string> seen_;
};

ldap::search_request users_request(store::source_config const& c, proto::attribute_map const& map);
ldap::search_request groups_request(store::source_config const& c, proto::attribute_map const& map);

// Every user and group under the source's base DNs, by paged searches: a
// complete pass.
result<void> read_everything(ldap::connection& conn, store::source_config const& c, collector& users,
                             group_collector& groups);

// Active Directory (ad_fetch.cpp): DirSync from the cookies in `from` when
// it has them, else a complete pass that also leaves the cookies for the
// next one in out.next_cookies.
result<void> fetch_ad(ldap::connection& conn, store::source_config const& c, cookies const& from, collector& users,
                      group_collector& groups);

}  // namespace posta::directory::sync::detail
