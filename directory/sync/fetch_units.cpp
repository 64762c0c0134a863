#include "directory/sync/fetch_units.hpp"

#include "directory/proto/org_unit.hpp"

#include <algorithm>

namespace posta::directory::sync {
namespace {

std::string detail(proto::directory_user const& u, std::string_view key) {
  for (auto const& [k, v] : u.details)
    if (k == key) return v;
  return {};
}

// details stay sorted by key (proto::directory_user).
void set_detail(proto::directory_user& u, std::string key, std::string value) {
  auto it = std::lower_bound(u.details.begin(), u.details.end(), key,
                             [](auto const& kv, std::string const& k) { return kv.first < k; });
  if (it != u.details.end() && it->first == key) {
    it->second = std::move(value);
    return;
  }
  u.details.emplace(it, std::move(key), std::move(value));
}

result<std::vector<proto::org_unit>> read_units_blocking(ldap::connection& conn, store::source_config const& c) {
  ldap::search_request req;
  req.filter = "(objectClass=organizationalUnit)";
  req.attributes = {"ou", "description"};
  req.page_size = c.page_size;
  req.max_entries = max_org_units;
  std::vector<proto::org_unit> out;
  for (auto const& base : c.base_dns) {
    req.base = base;
    POSTA_TRY(conn.search_blocking(req, [&](proto::entry&& e) -> result<void> {
      out.push_back({e.dn, std::string(e.first("ou")), std::string(e.first("description"))});
      return {};
    }));
  }
  return out;
}

}  // namespace

result<void> add_unit_notes_blocking(ldap::connection& conn, store::source_config const& c,
                                     std::vector<proto::directory_user>& users) {
  if (users.empty()) return {};  // an incremental pass without user changes reads nothing more
  auto const units = POSTA_TRY(read_units_blocking(conn, c));
  for (auto& u : users) {
    auto const unit = proto::unit_of(u.dn, detail(u, "ou"), units);
    if (unit && !unit->description.empty()) set_detail(u, "ounotes", unit->description);
  }
  return {};
}

}  // namespace posta::directory::sync
