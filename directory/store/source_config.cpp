#include "directory/store/source_config.hpp"

#include "core/identity/names.hpp"
#include "directory/proto/ldap_filter.hpp"

#include <boost/json/array.hpp>

#include <set>

namespace posta::directory::store {
namespace {

result<std::string> string_field(boost::json::value const& v, std::string_view name) {
  if (!v.is_string()) return make_error(errc::invalid_argument, "field '" + std::string(name) + "' must be a string");
  // SECURITY: a bound on every stored text.
  if (v.as_string().size() > 4096)
    return make_error(errc::invalid_argument, "field '" + std::string(name) + "' is longer than 4096 bytes");
  return std::string(v.as_string());
}

result<std::vector<std::string>> list_field(boost::json::value const& v, std::string_view name) {
  if (!v.is_array()) return make_error(errc::invalid_argument, "field '" + std::string(name) + "' must be a list");
  if (v.as_array().size() > 64)
    return make_error(errc::invalid_argument, "field '" + std::string(name) + "' has more than 64 entries");
  std::vector<std::string> out;
  for (auto const& item : v.as_array()) out.push_back(POSTA_TRY(string_field(item, name)));
  return out;
}

result<int> int_field(boost::json::value const& v, std::string_view name, int low, int high) {
  auto const n = v.if_int64();
  if (n == nullptr || *n < low || *n > high)
    return make_error(errc::invalid_argument, "field '" + std::string(name) + "' must be a whole number from " +
                                                  std::to_string(low) + " to " + std::to_string(high));
  return static_cast<int>(*n);
}

result<bool> bool_field(boost::json::value const& v, std::string_view name) {
  if (!v.is_bool())
    return make_error(errc::invalid_argument, "field '" + std::string(name) + "' must be true or false");
  return v.as_bool();
}

result<void> check_uris(std::vector<std::string> const& uris) {
  if (uris.empty()) return make_error(errc::invalid_argument, "a source needs at least one URI");
  for (auto const& u : uris)
    if (!u.starts_with("ldap://") && !u.starts_with("ldaps://"))
      return make_error(errc::invalid_argument, "URI '" + u + "' must start with ldap:// or ldaps://");
  return {};
}

result<void> check_filter(std::string const& f, std::string_view name) {
  if (!f.empty() && !proto::is_balanced_filter(f))
    return make_error(errc::invalid_argument, "field '" + std::string(name) + "' is not a parenthesised LDAP filter");
  return {};
}

result<std::vector<std::pair<std::string, std::string>>> mapping_field(boost::json::value const& v) {
  if (!v.is_object()) return make_error(errc::invalid_argument, "field 'mapping' must be an object");
  std::vector<std::pair<std::string, std::string>> out;
  auto probe = proto::preset(proto::profile::custom);
  for (auto const& [key, attribute] : v.as_object()) {
    auto name = POSTA_TRY(string_field(attribute, "mapping"));
    if (!proto::override_attribute(probe, key, name))
      return make_error(errc::invalid_argument, "mapping: unknown key '" + std::string(key) + "'");
    out.emplace_back(std::string(key), std::move(name));
  }
  return out;
}

// One field of the body into `c`; false when the name is not a field.
result<bool> read_field(source_config& c, std::string_view name, boost::json::value const& v) {
  if (name == "profile") {
    auto p = proto::parse_profile(POSTA_TRY(string_field(v, name)));
    if (!p) return make_error(errc::invalid_argument, "field 'profile' must be ad, openldap or custom");
    c.profile = *p;
  } else if (name == "uris") {
    c.uris = POSTA_TRY(list_field(v, name));
  } else if (name == "start_tls") {
    c.start_tls = POSTA_TRY(bool_field(v, name));
  } else if (name == "tls_verify") {
    c.tls_verify = POSTA_TRY(bool_field(v, name));
  } else if (name == "ca_file") {
    c.ca_file = POSTA_TRY(string_field(v, name));
  } else if (name == "bind_dn") {
    c.bind_dn = POSTA_TRY(string_field(v, name));
  } else if (name == "base_dns") {
    c.base_dns = POSTA_TRY(list_field(v, name));
  } else if (name == "user_filter") {
    c.user_filter = POSTA_TRY(string_field(v, name));
  } else if (name == "group_filter") {
    c.group_filter = POSTA_TRY(string_field(v, name));
  } else if (name == "mapping") {
    c.mapping = POSTA_TRY(mapping_field(v));
  } else if (name == "managed_domains") {
    c.managed_domains.clear();
    for (auto const& d : POSTA_TRY(list_field(v, name)))
      c.managed_domains.push_back(POSTA_TRY(identity::normalise_domain(d)));
  } else if (name == "timeout_seconds") {
    c.timeout_seconds = POSTA_TRY(int_field(v, name, 1, 300));
  } else if (name == "sync_interval_seconds") {
    c.sync_interval_seconds = POSTA_TRY(int_field(v, name, 0, 7 * 86400));
  } else if (name == "max_disable_percent") {
    c.max_disable_percent = POSTA_TRY(int_field(v, name, 0, 100));
  } else if (name == "delete_after_days") {
    c.delete_after_days = POSTA_TRY(int_field(v, name, 0, 3650));
  } else if (name == "page_size") {
    c.page_size = POSTA_TRY(int_field(v, name, 10, 5000));
  } else if (name == "xmpp_shared_groups") {
    c.xmpp_shared_groups = POSTA_TRY(bool_field(v, name));
  } else if (name == "xmpp_shared_group_max_members") {
    c.xmpp_shared_group_max_members = POSTA_TRY(int_field(v, name, 2, 10000));
  } else {
    return false;
  }
  return true;
}

}  // namespace

proto::attribute_map source_config::attributes() const {
  auto map = proto::preset(profile);
  for (auto const& [key, attribute] : mapping) proto::override_attribute(map, key, attribute);
  return map;
}

std::string source_config::users_filter() const {
  return user_filter.empty() ? attributes().default_user_filter : user_filter;
}

std::string source_config::groups_filter() const {
  return group_filter.empty() ? attributes().default_group_filter : group_filter;
}

ldap::server_options source_config::server() const {
  ldap::server_options o;
  o.uris = uris;
  o.start_tls = start_tls;
  o.tls_verify = tls_verify;
  o.ca_file = ca_file;
  o.timeout = std::chrono::seconds(timeout_seconds);
  return o;
}

result<source_config> read_source_config(boost::json::object const& body, source_config c, bool creating) {
  for (auto const& [name, value] : body) {
    if (name == "name" || name == "bind_password" || name == "enabled") continue;  // the row's own columns
    if (!POSTA_TRY(read_field(c, name, value)))
      return make_error(errc::invalid_argument, "unknown field '" + std::string(name) + "'");
  }
  POSTA_TRY(check_uris(c.uris));
  POSTA_TRY(check_filter(c.user_filter, "user_filter"));
  POSTA_TRY(check_filter(c.group_filter, "group_filter"));
  if (c.base_dns.empty()) return make_error(errc::invalid_argument, "a source needs at least one base DN");
  if (creating && c.managed_domains.empty())
    return make_error(errc::invalid_argument, "a source needs the mail domains it manages (managed_domains)");
  return c;
}

boost::json::object to_json(source_config const& c) {
  auto list = [](std::vector<std::string> const& v) {
    boost::json::array a;
    for (auto const& s : v) a.emplace_back(s);
    return a;
  };
  boost::json::object mapping;
  for (auto const& [k, v] : c.mapping) mapping[k] = v;
  return {{"profile", std::string(proto::name(c.profile))},
          {"uris", list(c.uris)},
          {"start_tls", c.start_tls},
          {"tls_verify", c.tls_verify},
          {"ca_file", c.ca_file},
          {"bind_dn", c.bind_dn},
          {"base_dns", list(c.base_dns)},
          {"user_filter", c.user_filter},
          {"group_filter", c.group_filter},
          {"mapping", std::move(mapping)},
          {"managed_domains", list(c.managed_domains)},
          {"timeout_seconds", c.timeout_seconds},
          {"sync_interval_seconds", c.sync_interval_seconds},
          {"max_disable_percent", c.max_disable_percent},
          {"delete_after_days", c.delete_after_days},
          {"page_size", c.page_size},
          {"xmpp_shared_groups", c.xmpp_shared_groups},
          {"xmpp_shared_group_max_members", c.xmpp_shared_group_max_members}};
}

}  // namespace posta::directory::store
