// RFC 4515 filter escaping: an injected value never changes the filter.
#include "directory/proto/ldap_filter.hpp"

#include <gtest/gtest.h>

namespace posta::directory::proto {
namespace {

TEST(LdapFilter, EscapesTheSpecialCharactersAndNul) {
  EXPECT_EQ(escape_filter_value("alice"), "alice");
  EXPECT_EQ(escape_filter_value("*)(uid=*"), "\\2a\\29\\28uid=\\2a");
  EXPECT_EQ(escape_filter_value("a\\b"), "a\\5cb");
  EXPECT_EQ(escape_filter_value(std::string("a\0b", 3)), "a\\00b");
}

TEST(LdapFilter, NonAsciiBecomesEscapedOctets) {
  // RFC 4515 3: the value is an octet string; é in UTF-8 is C3 A9.
  EXPECT_EQ(escape_filter_value("jos\xC3\xA9"), "jos\\c3\\a9");
  EXPECT_EQ(escape_filter_value("a\tb"), "a\\09b");
}

TEST(LdapFilter, AndEqualsWrapsTheBase) {
  EXPECT_EQ(and_equals("(objectClass=inetOrgPerson)", "uid", "bob"), "(&(objectClass=inetOrgPerson)(uid=bob))");
  EXPECT_EQ(and_equals("(objectClass=user)", "sAMAccountName", "*"), "(&(objectClass=user)(sAMAccountName=\\2a))");
}

TEST(LdapFilter, BalancedFilters) {
  EXPECT_TRUE(is_balanced_filter("(objectClass=*)"));
  EXPECT_TRUE(is_balanced_filter("(&(objectCategory=person)(objectClass=user))"));
  EXPECT_TRUE(is_balanced_filter("(cn=a\\29b)"));
  EXPECT_FALSE(is_balanced_filter("objectClass=*"));
  EXPECT_FALSE(is_balanced_filter("(a=b))(c=d)"));
  EXPECT_FALSE(is_balanced_filter("(a=b)(c=d)"));
  EXPECT_FALSE(is_balanced_filter("((a=b)"));
  EXPECT_FALSE(is_balanced_filter(std::string("(a=\0)", 5)));
  EXPECT_FALSE(is_balanced_filter("()"));
}

}  // namespace
}  // namespace posta::directory::proto
