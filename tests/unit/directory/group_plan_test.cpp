// Directory groups as distribution lists: nested membership, creates,
// updates, deletions, conflicts.
#include "directory/proto/group_plan.hpp"

#include <gtest/gtest.h>

namespace posta::directory::proto {
namespace {

directory_group group(std::string name, std::string mail, std::vector<std::string> members) {
  return {"uuid-" + name, "cn=" + name + ",ou=groups,dc=corp,dc=test", name, mail, std::move(members)};
}

std::string person(std::string uid) {
  return "uid=" + uid + ",ou=people,dc=corp,dc=test";
}

TEST(GroupPlan, NestedGroupsAreExpandedAndCyclesEnd) {
  auto staff = group("staff", "staff@corp.test", {person("alice"), "CN=Admins,ou=groups,dc=corp,dc=test"});
  auto admins = group("admins", "", {person("bob"), "cn=staff,ou=groups,dc=corp,dc=test", person("nobody")});
  auto members = expand_members(staff, {staff, admins}, {person("alice"), person("bob")});
  EXPECT_EQ(members, (std::vector<std::string>{person("alice"), person("bob")}));
}

TEST(GroupPlan, ListsOnlyForGroupsWithAManagedAddress) {
  group_plan_input in;
  in.managed_domains = {"corp.test"};
  in.account_dns = {person("alice")};
  in.groups = {group("staff", "staff@corp.test", {person("alice")}), group("admins", "", {}),
               group("ext", "ext@other.test", {})};
  auto plan = plan_groups(in);
  ASSERT_EQ(plan.creates.size(), 1u);
  EXPECT_EQ(plan.creates[0].group.mail, "staff@corp.test");
  EXPECT_EQ(plan.creates[0].member_dns, std::vector<std::string>{person("alice")});
}

TEST(GroupPlan, UpdatesDeletesAndConflicts) {
  group_plan_input in;
  in.managed_domains = {"corp.test"};
  in.account_dns = {person("alice"), person("bob")};
  in.known = {{1, "uuid-staff", "staff@corp.test", "staff", "cn=staff,ou=groups,dc=corp,dc=test", {person("alice")}},
              {2, "uuid-gone", "gone@corp.test", "gone", "cn=gone,ou=groups,dc=corp,dc=test", {}}};
  in.groups = {group("staff", "staff@corp.test", {person("alice"), person("bob")}),
               group("sales", "sales@corp.test", {})};
  in.taken_elsewhere = [](std::string const& a) { return a == "sales@corp.test"; };
  auto plan = plan_groups(in);
  ASSERT_EQ(plan.updates.size(), 1u);
  EXPECT_EQ(plan.updates[0].changed, std::vector<std::string>{"members"});
  ASSERT_EQ(plan.deletes.size(), 1u);
  EXPECT_EQ(plan.deletes[0].id, 2);
  EXPECT_TRUE(plan.creates.empty());
  ASSERT_EQ(plan.conflicts.size(), 1u);
  in.groups[0].members = {person("alice")};
  EXPECT_TRUE(plan_groups(in).updates.empty());  // nothing changed, nothing to write
}

}  // namespace
}  // namespace posta::directory::proto
