#include "directory/proto/sync_plan.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace posta::directory::proto {
namespace {

// A handful of accounts may always be disabled at once (people leave); the
// share bound is for mass changes.
constexpr std::size_t always_allowed_disables = 5;

bool is_managed(std::vector<std::string> const& domains, std::string const& address) {
  auto const d = domain_part(address);
  return std::find(domains.begin(), domains.end(), d) != domains.end();
}

// Aliases only in managed domains: the others are not Posta's to create.
std::vector<std::string> managed_aliases(plan_input const& in, std::vector<std::string> const& aliases) {
  std::vector<std::string> out;
  for (auto const& a : aliases)
    if (is_managed(in.managed_domains, a)) out.push_back(a);
  return out;
}

std::vector<std::string> changes_between(known_account const& k, directory_user const& u) {
  std::vector<std::string> changed;
  auto note = [&](bool differs, char const* what) {
    if (differs) changed.emplace_back(what);
  };
  note(k.address != u.mail, "address");
  note(k.display_name != u.display_name, "display_name");
  note(k.login != u.login, "login");
  note(k.dn != u.dn, "dn");
  note(k.enabled != (u.state == account_state::enabled), "enabled");
  note(k.missing, "back");
  note(k.details != u.details, "details");
  note(k.aliases != u.aliases, "aliases");
  note(k.photo_sha256 != u.photo_sha256, "photo");
  return changed;
}

struct planner {
  plan_input const& in;
  sync_plan plan;
  std::map<std::string, known_account const*> known_by_uuid;
  std::set<std::string> seen;
  std::set<std::string> claimed;  // addresses given to an entry in this pass

  void user(directory_user u) {
    seen.insert(u.uuid);
    if (!is_managed(in.managed_domains, u.mail))
      return plan.skipped.push_back({u.dn, u.mail, "not in a domain this source manages"});
    u.aliases = managed_aliases(in, u.aliases);
    if (!claimed.insert(u.mail).second)
      return plan.conflicts.push_back({u.dn, u.mail, "another entry of this directory has the same address"});
    auto const it = known_by_uuid.find(u.uuid);
    if (it == known_by_uuid.end()) return create(std::move(u));
    update(*it->second, std::move(u));
  }

  void create(directory_user u) {
    if (in.taken_elsewhere && in.taken_elsewhere(u.mail))
      return plan.conflicts.push_back({u.dn, u.mail, "the address belongs to a local account, alias or group"});
    std::erase_if(u.aliases, [&](std::string const& a) { return in.taken_elsewhere && in.taken_elsewhere(a); });
    plan.creates.push_back(std::move(u));
  }

  void update(known_account const& k, directory_user u) {
    if (u.mail != k.address && in.taken_elsewhere && in.taken_elsewhere(u.mail)) {
      plan.conflicts.push_back(
          {u.dn, u.mail, "new address belongs to a local account, alias or group; kept " + k.address});
      u.mail = k.address;
    }
    std::erase_if(u.aliases, [&](std::string const& a) { return in.taken_elsewhere && in.taken_elsewhere(a); });
    auto changed = changes_between(k, u);
    if (!changed.empty()) plan.updates.push_back({k, std::move(u), std::move(changed)});
  }

  void gone(known_account const& k) {
    if (!k.missing) plan.missing.push_back({k});
  }

  void safety() {
    std::size_t enabled = 0;
    for (auto const& k : in.known) enabled += k.enabled && !k.missing;
    if (in.enabled_known) enabled = *in.enabled_known;
    if (in.force || enabled == 0) return;
    if (in.complete && in.users.empty() && in.unchanged_uuids.empty()) {
      plan.stopped = true;
      plan.stop_reason = "the directory returned no user while " + std::to_string(enabled) +
                         " accounts are linked to it (wrong base DN or filter?)";
      return;
    }
    auto const disables = plan.disables();
    if (disables > always_allowed_disables &&
        disables * 100 > enabled * static_cast<std::size_t>(std::max(in.max_disable_percent, 0))) {
      plan.stopped = true;
      plan.stop_reason = "the pass would disable " + std::to_string(disables) + " of " + std::to_string(enabled) +
                         " enabled accounts (more than " + std::to_string(in.max_disable_percent) + "%)";
    }
  }
};

}  // namespace

std::string domain_part(std::string const& address) {
  auto const at = address.rfind('@');
  return at == std::string::npos ? std::string() : address.substr(at + 1);
}

std::size_t sync_plan::disables() const {
  std::size_t n = 0;
  for (auto const& m : missing) n += m.account.enabled;
  for (auto const& u : updates) n += u.before.enabled && u.after.state != account_state::enabled;
  return n;
}

sync_plan plan_sync(plan_input const& in) {
  planner p{in, {}, {}, {}, {}};
  for (auto const& k : in.known) p.known_by_uuid.emplace(k.uuid, &k);
  for (auto const& u : in.users) p.user(u);
  p.seen.insert(in.unchanged_uuids.begin(), in.unchanged_uuids.end());
  for (auto const& uuid : in.deleted_uuids)
    if (auto it = p.known_by_uuid.find(uuid); it != p.known_by_uuid.end() && p.seen.insert(uuid).second)
      p.gone(*it->second);  // once, even when a complete pass also sees it absent
  if (in.complete)
    for (auto const& k : in.known)
      if (!p.seen.count(k.uuid)) p.gone(k);
  p.safety();
  return std::move(p.plan);
}

std::vector<std::string> uuids_named(plan_input const& in) {
  std::vector<std::string> out;
  out.reserve(in.users.size() + in.deleted_uuids.size());
  for (auto const& u : in.users) out.push_back(u.uuid);
  out.insert(out.end(), in.deleted_uuids.begin(), in.deleted_uuids.end());
  return out;
}

std::vector<std::string> addresses_given(std::vector<directory_user> const& users) {
  std::vector<std::string> out;
  for (auto const& u : users) {
    out.push_back(u.mail);
    out.insert(out.end(), u.aliases.begin(), u.aliases.end());
  }
  return out;
}

}  // namespace posta::directory::proto
