// A directory source's settings: one JSON document in directory_sources.config
// (schema/022), read and checked here so that the API, the sync and the login
// path agree on every field and its bounds. The service account's password is
// not part of it (sealed apart, never printed).
#pragma once

#include "core/util/result.hpp"
#include "directory/ldap/connection.hpp"
#include "directory/proto/mapping.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace posta::directory::store {

struct source_config {
  proto::profile profile = proto::profile::openldap;
  std::vector<std::string> uris;
  bool start_tls = true;
  bool tls_verify = true;
  std::string ca_file;
  std::string bind_dn;  // DN, or UPN for AD; "" binds anonymously
  std::vector<std::string> base_dns;
  std::string user_filter;                                   // "" = the profile's
  std::string group_filter;                                  // "" = the profile's
  std::vector<std::pair<std::string, std::string>> mapping;  // overrides: Posta key → attribute
  std::vector<std::string> managed_domains;
  int timeout_seconds = 10;
  int sync_interval_seconds = 300;  // 0: only `posta directory sync`
  int max_disable_percent = 25;
  int delete_after_days = 0;  // 0: accounts gone from the directory are kept, disabled
  int page_size = 500;
  // Issue 12: the source's groups become XMPP shared roster groups
  // (schema/025). SECURITY: a group with more members is not shared, so a
  // roster fetch or a membership change costs at most this many items per
  // group (the personal roster's bound, xmpp.max_roster_items, is 1000).
  bool xmpp_shared_groups = true;
  int xmpp_shared_group_max_members = 500;

  proto::attribute_map attributes() const;  // the profile's preset with the overrides
  std::string users_filter() const;
  std::string groups_filter() const;
  ldap::server_options server() const;
};

// Builds a config from an API body: every field optional except uris,
// base_dns and managed_domains on creation; `base` holds the current values
// when a PATCH changes some of them. Unknown fields are refused (a typo must
// not be silently ignored).
result<source_config> read_source_config(boost::json::object const& body, source_config base, bool creating);

boost::json::object to_json(source_config const& c);

}  // namespace posta::directory::store
