// Directory entries mapped to accounts and groups by the ad and openldap
// profiles, and per-source overrides.
#include "directory/proto/mapping.hpp"

#include <gtest/gtest.h>

namespace posta::directory::proto {
namespace {

entry openldap_user() {
  return {"uid=jdoe,ou=people,dc=corp,dc=test",
          {{"uid", {"jdoe"}},
           {"mail", {"John.Doe@Corp.Test"}},
           {"mailAlternateAddress", {"jd@corp.test", "john.doe@corp.test", "bad address"}},
           {"cn", {"John Doe"}},
           {"title", {"Engineer"}},
           {"telephoneNumber", {"+1 555 0100", "+1 555 0101"}},
           {"entryUUID", {"F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6"}},
           {"memberOf", {"cn=staff,ou=groups,dc=corp,dc=test"}},
           {"jpegPhoto", {std::string("\xff\xd8\x00\x01", 4)}}}};
}

TEST(Mapping, OpenLdapUser) {
  auto m = map_user(openldap_user(), preset(profile::openldap), 0);
  ASSERT_TRUE(m.user) << m.skipped_because;
  auto const& u = *m.user;
  EXPECT_EQ(u.uuid, "f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
  EXPECT_EQ(u.login, "jdoe");
  EXPECT_EQ(u.mail, "john.doe@corp.test");
  EXPECT_EQ(u.aliases, std::vector<std::string>{"jd@corp.test"});  // the primary and the bad value are left out
  EXPECT_EQ(u.display_name, "John Doe");                           // no displayName: cn
  auto expected = std::vector<std::pair<std::string, std::string>>{{"phone", "+1 555 0100"}, {"title", "Engineer"}};
  EXPECT_EQ(u.details, expected);
  EXPECT_EQ(u.photo, std::string("\xff\xd8\x00\x01", 4));
  EXPECT_EQ(u.state, account_state::enabled);
  EXPECT_EQ(u.member_of, std::vector<std::string>{"cn=staff,ou=groups,dc=corp,dc=test"});
}

TEST(Mapping, AdUserFromProxyAddressesAndDisabledFlag) {
  std::string guid("\xe0\x04\x25\x3f\x89\x4f\xd3\x11\x9a\x0c\x03\x05\xe8\x2c\x33\x01", 16);
  entry e{"CN=Ann Lee,CN=Users,DC=corp,DC=test",
          {{"sAMAccountName", {"ann"}},
           {"objectGUID", {guid}},
           {"proxyAddresses", {"SMTP:Ann.Lee@corp.test", "smtp:ann@corp.test", "X500:/o=x"}},
           {"displayName", {"Ann Lee"}},
           {"department", {"Sales"}},
           {"userAccountControl", {"514"}}}};
  auto m = map_user(e, preset(profile::ad), 0);
  ASSERT_TRUE(m.user) << m.skipped_because;
  EXPECT_EQ(m.user->uuid, "3f2504e0-4f89-11d3-9a0c-0305e82c3301");
  EXPECT_EQ(m.user->mail, "ann.lee@corp.test");  // no mail attribute: the primary SMTP: proxy address
  EXPECT_EQ(m.user->aliases, std::vector<std::string>{"ann@corp.test"});
  EXPECT_EQ(m.user->state, account_state::disabled);
  EXPECT_EQ(m.user->details, (std::vector<std::pair<std::string, std::string>>{{"department", "Sales"}}));
}

TEST(Mapping, EntriesThatCannotBeAccountsSayWhy) {
  auto const map = preset(profile::openldap);
  auto e = openldap_user();
  std::erase_if(e.attributes, [](attribute const& a) { return a.name == "mail"; });
  EXPECT_FALSE(map_user(e, map, 0).user);
  EXPECT_NE(map_user(e, map, 0).skipped_because.find("mail"), std::string::npos);
  e = openldap_user();
  std::erase_if(e.attributes, [](attribute const& a) { return a.name == "entryUUID"; });
  EXPECT_NE(map_user(e, map, 0).skipped_because.find("identity"), std::string::npos);
  e = openldap_user();
  e.attributes[1].values = {"not-an-address"};
  EXPECT_FALSE(map_user(e, map, 0).user);
}

TEST(Mapping, OverridesAndRequestedAttributes) {
  auto map = preset(profile::openldap);
  EXPECT_TRUE(override_attribute(map, "title", "employeeType"));
  EXPECT_TRUE(override_attribute(map, "login", "cn"));
  EXPECT_FALSE(override_attribute(map, "shoe_size", "x"));
  auto m = map_user(openldap_user(), map, 0);
  ASSERT_TRUE(m.user);
  EXPECT_EQ(m.user->login, "John Doe");
  for (auto const& [k, v] : m.user->details) EXPECT_NE(k, "title");
  auto attrs = requested_attributes(map);
  EXPECT_NE(std::find(attrs.begin(), attrs.end(), "employeeType"), attrs.end());
  EXPECT_NE(std::find(attrs.begin(), attrs.end(), "memberOf"), attrs.end());
}

TEST(Mapping, Group) {
  entry e{"cn=staff,ou=groups,dc=corp,dc=test",
          {{"cn", {"staff"}},
           {"mail", {"Staff@Corp.Test"}},
           {"entryUUID", {"0a1b2c3d-0000-1111-2222-333344445555"}},
           {"member", {"uid=jdoe,ou=people,dc=corp,dc=test", "uid=ann,ou=people,dc=corp,dc=test"}}}};
  auto g = map_group(e, preset(profile::openldap));
  ASSERT_TRUE(g.group);
  EXPECT_EQ(g.group->name, "staff");
  EXPECT_EQ(g.group->mail, "staff@corp.test");
  EXPECT_EQ(g.group->members.size(), 2u);
  EXPECT_EQ(parse_profile("ad"), profile::ad);
  EXPECT_EQ(parse_profile("samba"), std::nullopt);
}

}  // namespace
}  // namespace posta::directory::proto
