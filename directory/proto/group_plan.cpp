#include "directory/proto/group_plan.hpp"

#include "core/util/ascii.hpp"
#include "directory/proto/sync_plan.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace posta::directory::proto {
namespace {

using group_index = std::map<std::string, directory_group const*>;

void collect(directory_group const& g, group_index const& groups, std::set<std::string> const& accounts,
             std::set<std::string>& visited, std::set<std::string>& out, int depth) {
  if (depth > max_group_nesting || !visited.insert(util::ascii_lowercase(g.dn)).second) return;
  for (auto const& member : g.members) {
    auto const dn = util::ascii_lowercase(member);
    if (accounts.count(dn)) out.insert(dn);
    if (auto it = groups.find(dn); it != groups.end()) collect(*it->second, groups, accounts, visited, out, depth + 1);
  }
}

bool is_managed(std::vector<std::string> const& domains, std::string const& address) {
  return std::find(domains.begin(), domains.end(), domain_part(address)) != domains.end();
}

}  // namespace

member_expansion::member_expansion(std::vector<directory_group> const& all, std::vector<std::string> const& account_dns)
    : accounts_(account_dns.begin(), account_dns.end()) {
  for (auto const& g : all) groups_.emplace(util::ascii_lowercase(g.dn), &g);
}

std::vector<std::string> member_expansion::members(directory_group const& group) const {
  std::set<std::string> visited, out;
  collect(group, groups_, accounts_, visited, out, 0);
  return {out.begin(), out.end()};
}

std::vector<std::string> expand_members(directory_group const& group, std::vector<directory_group> const& all,
                                        std::vector<std::string> const& account_dns) {
  return member_expansion(all, account_dns).members(group);
}

group_plan plan_groups(group_plan_input const& in) {
  group_plan plan;
  std::map<std::string, known_group const*> known;
  for (auto const& k : in.known) known.emplace(k.uuid, &k);
  std::set<std::string> kept, claimed;
  // Indexed once for every list (not once per list: 500 lists over 10,000
  // accounts made that the largest cost of a sync).
  member_expansion const lists(in.groups, in.account_dns);
  for (auto const& g : in.groups) {
    if (g.mail.empty() || !is_managed(in.managed_domains, g.mail)) continue;  // not a list of ours
    planned_group p{g, lists.members(g), std::nullopt, {}};
    auto const it = known.find(g.uuid);
    bool const ours = it != known.end() && it->second->address == g.mail;
    if (!claimed.insert(g.mail).second || (!ours && in.taken_elsewhere && in.taken_elsewhere(g.mail))) {
      plan.conflicts.push_back(g.dn + ": the address " + g.mail + " belongs to something else");
      if (it != known.end()) kept.insert(g.uuid);  // keep the list as it is
      continue;
    }
    if (it == known.end()) {
      plan.creates.push_back(std::move(p));
      continue;
    }
    kept.insert(g.uuid);
    auto const& k = *it->second;
    if (k.address != g.mail) p.changed.emplace_back("address");
    if (k.name != g.name) p.changed.emplace_back("name");
    if (k.dn != g.dn) p.changed.emplace_back("dn");
    if (k.member_dns != p.member_dns) p.changed.emplace_back("members");
    p.before = k;
    if (!p.changed.empty()) plan.updates.push_back(std::move(p));
  }
  for (auto const& k : in.known)
    if (!kept.count(k.uuid)) plan.deletes.push_back(k);
  return plan;
}

}  // namespace posta::directory::proto
