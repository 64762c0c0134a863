// Which directory groups become XMPP shared roster groups, with whom.
#include "directory/proto/shared_groups.hpp"

#include <gtest/gtest.h>

namespace posta::directory::proto {
namespace {

std::vector<directory_group> const groups{
    {"u1", "cn=project,ou=groups", "Project X", "", {"uid=ann,ou=people", "CN=Sub,OU=Groups"}},
    {"u2", "cn=sub,ou=groups", "sub", "", {"uid=bo,ou=people", "uid=nobody,ou=people"}},
    {"u3", "cn=all,ou=groups", "all", "", {"cn=project,ou=groups", "uid=cy,ou=people"}},
};
std::vector<std::string> const accounts{"uid=ann,ou=people", "uid=bo,ou=people", "uid=cy,ou=people"};

TEST(SharedGroups, MembersThroughNestedGroups) {
  auto p = plan_shared_groups(groups, accounts, 500);
  ASSERT_EQ(p.groups.size(), 3u);
  EXPECT_EQ(p.groups[0].name, "Project X");
  EXPECT_EQ(p.groups[0].member_dns, (std::vector<std::string>{"uid=ann,ou=people", "uid=bo,ou=people"}));
  EXPECT_EQ(p.groups[1].member_dns, (std::vector<std::string>{"uid=bo,ou=people"}));  // nobody is no account
  EXPECT_EQ(p.groups[2].member_dns,
            (std::vector<std::string>{"uid=ann,ou=people", "uid=bo,ou=people", "uid=cy,ou=people"}));
  EXPECT_TRUE(p.too_large.empty());
}

TEST(SharedGroups, GroupsOverTheBoundAreLeftOutAndNamed) {
  auto p = plan_shared_groups(groups, accounts, 2);
  ASSERT_EQ(p.groups.size(), 2u);
  EXPECT_EQ(p.groups[0].uuid, "u1");
  EXPECT_EQ(p.groups[1].uuid, "u2");
  EXPECT_EQ(p.too_large, (std::vector<std::string>{"all"}));
  // 10,000 members with the default bound: not shared.
  directory_group big{"big", "cn=big", "everyone", "", {}};
  std::vector<std::string> many;
  for (int i = 0; i < 10000; ++i) many.push_back("uid=u" + std::to_string(i));
  big.members = many;
  auto huge = plan_shared_groups({big}, many, 500);
  EXPECT_TRUE(huge.groups.empty());
  EXPECT_EQ(huge.too_large, (std::vector<std::string>{"everyone"}));
}

}  // namespace
}  // namespace posta::directory::proto
