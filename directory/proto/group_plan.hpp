// Directory groups into Posta groups (issue 12 "Effects"): a group with a
// mail address in a managed domain becomes a distribution list whose
// members are the accounts of its members, nested groups expanded (AD and
// OpenLDAP both nest; expansion here serves both and needs no
// LDAP_MATCHING_RULE_IN_CHAIN search). Pure, like the account planner.
#pragma once

#include "directory/proto/mapping.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace posta::directory::proto {

struct known_group {
  std::int64_t id = 0;
  std::string uuid;
  std::string address;
  std::string name;
  std::string dn;
  std::vector<std::string> member_dns;  // lowercase, sorted: the accounts' directory DNs
};

struct group_plan_input {
  std::vector<directory_group> groups;  // every group the directory has (a full read)
  std::vector<known_group> known;
  std::vector<std::string> managed_domains;
  std::vector<std::string> account_dns;  // DNs of this source's accounts, lowercase
  std::function<bool(std::string const&)> taken_elsewhere;
};

struct planned_group {
  directory_group group;
  std::vector<std::string> member_dns;  // resolved to accounts, lowercase, sorted
  std::optional<known_group> before;
  std::vector<std::string> changed;
};

struct group_plan {
  std::vector<planned_group> creates;
  std::vector<planned_group> updates;
  std::vector<known_group> deletes;    // gone from the directory, or no longer a list
  std::vector<std::string> conflicts;  // "dn: reason"
};

// SECURITY: nesting deeper than this is not followed (and a cycle is
// followed once), so a hostile or broken directory cannot loop the sync.
inline constexpr int max_group_nesting = 32;

// The accounts (their DNs, lowercase, sorted) in `group`, through nested groups.
std::vector<std::string> expand_members(directory_group const& group, std::vector<directory_group> const& all,
                                        std::vector<std::string> const& account_dns);

// The same for many groups of one set: the groups by DN and the account DNs
// indexed once (per group, 500 groups over 10,000 accounts make the indexes
// the largest cost of a pass). `all` must outlive it.
class member_expansion {
 public:
  member_expansion(std::vector<directory_group> const& all, std::vector<std::string> const& account_dns);
  std::vector<std::string> members(directory_group const& group) const;

 private:
  std::map<std::string, directory_group const*> groups_;
  std::set<std::string> accounts_;
};

group_plan plan_groups(group_plan_input const& in);

}  // namespace posta::directory::proto
