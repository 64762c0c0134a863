// The organisational unit behind [ou] and [ounotes].
#include "directory/proto/org_unit.hpp"

#include <gtest/gtest.h>

namespace posta::directory::proto {
namespace {

TEST(OrgUnit, FirstOuOfADn) {
  EXPECT_EQ(first_ou("CN=Ann Lee,OU=Sales,OU=Staff,DC=corp,DC=test"), "Sales");
  EXPECT_EQ(first_ou_dn("CN=Ann Lee,OU=Sales,OU=Staff,DC=corp,DC=test"), "OU=Sales,OU=Staff,DC=corp,DC=test");
  EXPECT_EQ(first_ou("uid=al, ou=people,dc=corp"), "people");
  EXPECT_EQ(first_ou_dn("uid=al, ou=people,dc=corp"), "ou=people,dc=corp");
  EXPECT_EQ(first_ou("cn=x,dc=corp"), "");
  EXPECT_EQ(first_ou_dn("cn=x,dc=corp"), "");
  EXPECT_EQ(first_ou(""), "");
}

TEST(OrgUnit, EscapedCommasStayInsideTheirRdn) {
  EXPECT_EQ(first_ou("CN=Lee\\, Ann,OU=R\\,D,DC=corp"), "R\\,D");
  EXPECT_EQ(first_ou_dn("CN=Lee\\, Ann,OU=R\\,D,DC=corp"), "OU=R\\,D,DC=corp");
  EXPECT_EQ(first_ou("CN=ou=fake\\,x,DC=corp"), "");  // not an RDN of its own
}

std::vector<org_unit> const units{{"ou=people,dc=corp", "people", "Everyone"},
                                  {"ou=Research,ou=people,dc=corp", "Research", "Lab notes"},
                                  {"ou=research,ou=old,dc=corp", "research", "Old lab"},
                                  {"OU=Sales,DC=corp", "Sales", "Sales floor"}};

TEST(OrgUnit, TheDnsOuWithoutAnAttribute) {
  auto u = unit_of("CN=Ann,OU=Sales,DC=CORP", "", units);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->description, "Sales floor");
  EXPECT_FALSE(unit_of("cn=x,dc=corp", "", units));
  EXPECT_FALSE(unit_of("cn=x,ou=nowhere,dc=corp", "", units));
}

TEST(OrgUnit, TheAttributesOuWinsNearestEnclosingFirst) {
  auto u = unit_of("uid=al,ou=people,dc=corp", "research", units);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->description, "Lab notes");  // first of that name
  u = unit_of("uid=bo,ou=research,ou=old,dc=corp", "Research", units);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->description, "Old lab");  // the one enclosing the user
  // [ou] names a unit the directory does not have: no notes (not those of
  // another unit).
  EXPECT_FALSE(unit_of("uid=al,ou=people,dc=corp", "Marketing", units));
}

}  // namespace
}  // namespace posta::directory::proto
