#include "directory/proto/shared_groups.hpp"

#include "directory/proto/group_plan.hpp"

namespace posta::directory::proto {

shared_plan plan_shared_groups(std::vector<directory_group> const& groups, std::vector<std::string> const& account_dns,
                               std::size_t max_members) {
  shared_plan p;
  member_expansion const expansion(groups, account_dns);
  for (auto const& g : groups) {
    auto members = expansion.members(g);
    if (members.size() > max_members) {
      p.too_large.push_back(g.name);
      continue;
    }
    p.groups.push_back({g.uuid, g.name, std::move(members)});
  }
  return p;
}

}  // namespace posta::directory::proto
