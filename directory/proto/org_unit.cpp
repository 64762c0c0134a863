#include "directory/proto/org_unit.hpp"

#include "core/util/ascii.hpp"

namespace posta::directory::proto {
namespace {

// Where the first OU= RDN of `dn` starts, or npos. RDNs are split at
// commas that no backslash escapes (RFC 4514 2.4).
std::size_t first_ou_at(std::string_view dn) {
  std::size_t start = 0;
  for (std::size_t i = 0; i <= dn.size(); ++i) {
    if (i < dn.size() && dn[i] == '\\') {
      ++i;
      continue;
    }
    if (i < dn.size() && dn[i] != ',') continue;
    auto rdn = dn.substr(start, i - start);
    while (!rdn.empty() && rdn.front() == ' ') rdn.remove_prefix(1);
    if (rdn.size() > 3 && util::ascii_iequals(rdn.substr(0, 3), "ou="))
      return static_cast<std::size_t>(rdn.data() - dn.data());
    start = i + 1;
  }
  return std::string_view::npos;
}

// The value of the RDN starting at `at`, up to its unescaped comma.
std::string rdn_value(std::string_view dn, std::size_t at) {
  auto const value = at + 3;
  std::size_t i = value;
  while (i < dn.size() && dn[i] != ',') i += dn[i] == '\\' ? 2 : 1;
  return std::string(dn.substr(value, std::min(i, dn.size()) - value));
}

bool encloses(std::string_view unit_dn, std::string const& user_dn_lower) {
  auto const unit = util::ascii_lowercase(unit_dn);
  return !unit.empty() && user_dn_lower.size() > unit.size() && user_dn_lower.ends_with(unit) &&
         user_dn_lower[user_dn_lower.size() - unit.size() - 1] == ',';
}

// The unit called `named`: the nearest enclosing the user, else the first.
std::optional<org_unit> unit_named(std::string const& user_dn_lower, std::string_view named,
                                   std::vector<org_unit> const& units) {
  org_unit const* best = nullptr;
  for (auto const& u : units) {
    if (!util::ascii_iequals(u.name, named)) continue;
    if (best == nullptr) best = &u;
    if (encloses(u.dn, user_dn_lower) && (!encloses(best->dn, user_dn_lower) || u.dn.size() > best->dn.size()))
      best = &u;
  }
  if (best == nullptr) return std::nullopt;
  return *best;
}

}  // namespace

std::string first_ou(std::string_view dn) {
  auto const at = first_ou_at(dn);
  return at == std::string_view::npos ? std::string() : rdn_value(dn, at);
}

std::string first_ou_dn(std::string_view dn) {
  auto const at = first_ou_at(dn);
  return at == std::string_view::npos ? std::string() : std::string(dn.substr(at));
}

std::optional<org_unit> unit_of(std::string_view user_dn, std::string_view named, std::vector<org_unit> const& units) {
  auto const user = util::ascii_lowercase(user_dn);
  if (!named.empty()) return unit_named(user, named, units);
  auto const parent = util::ascii_lowercase(first_ou_dn(user_dn));
  if (parent.empty()) return std::nullopt;
  for (auto const& u : units)
    if (util::ascii_lowercase(u.dn) == parent) return u;
  return std::nullopt;
}

}  // namespace posta::directory::proto
