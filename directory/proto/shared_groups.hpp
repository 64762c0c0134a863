// Directory groups as XMPP shared roster groups (issue 12): which groups a
// source shares and with which accounts, members expanded through nested
// groups exactly as for lists (group_plan's expand_members). Pure: the store
// writes the result (store/group_links save_shared_groups, schema/025).
#pragma once

#include "directory/proto/mapping.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace posta::directory::proto {

struct shared_group {
  std::string uuid;
  std::string name;                     // the roster group: display name, else cn
  std::vector<std::string> member_dns;  // the accounts' DNs, lowercase, sorted
};

struct shared_plan {
  std::vector<shared_group> groups;
  std::vector<std::string> too_large;  // names of the groups left out
};

// SECURITY: a group with more than `max_members` accounts is left out (and
// named), so no group adds more than that many items to a member's roster
// nor more than that many pushes per member to a change.
shared_plan plan_shared_groups(std::vector<directory_group> const& groups, std::vector<std::string> const& account_dns,
                               std::size_t max_members);

}  // namespace posta::directory::proto
