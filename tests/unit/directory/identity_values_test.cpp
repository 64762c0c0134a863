// objectGUID / entryUUID text, proxyAddresses and ranged retrieval.
#include "directory/proto/identity_values.hpp"

#include <gtest/gtest.h>

namespace posta::directory::proto {
namespace {

TEST(IdentityValues, ObjectGuidInAdsTextualForm) {
  // The bytes of {3f2504e0-4f89-11d3-9a0c-0305e82c3301} as AD stores them.
  std::string raw("\xe0\x04\x25\x3f\x89\x4f\xd3\x11\x9a\x0c\x03\x05\xe8\x2c\x33\x01", 16);
  EXPECT_EQ(guid_text(raw), "3f2504e0-4f89-11d3-9a0c-0305e82c3301");
  EXPECT_EQ(guid_text(raw.substr(1)), std::nullopt);
}

TEST(IdentityValues, EntryUuid) {
  EXPECT_EQ(uuid_text("F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6"), "f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
  EXPECT_EQ(uuid_text("f81d4fae7dec11d0a76500a0c91e6bf6"), std::nullopt);
  EXPECT_EQ(uuid_text("g81d4fae-7dec-11d0-a765-00a0c91e6bf6"), std::nullopt);
}

TEST(IdentityValues, SyncUuidBytesInRfc4122Order) {
  std::string raw("\xf8\x1d\x4f\xae\x7d\xec\x11\xd0\xa7\x65\x00\xa0\xc9\x1e\x6b\xf6", 16);
  EXPECT_EQ(uuid_bytes_text(raw), "f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
  EXPECT_EQ(uuid_bytes_text(raw.substr(2)), std::nullopt);
}

TEST(IdentityValues, ProxyAddresses) {
  auto p = parse_proxy_addresses({"smtp:Bob.Alias@Corp.Test", "X500:/o=Corp/cn=bob", "SMTP:Bob@Corp.Test",
                                  "sip:bob@corp.test", "smtp:bob@corp.test", "smtp:not an address",
                                  "smtp:second@corp.test", "smtp:bob.alias@corp.test"});
  EXPECT_EQ(p.primary, "bob@corp.test");
  EXPECT_EQ(p.aliases, (std::vector<std::string>{"bob.alias@corp.test", "second@corp.test"}));
  EXPECT_EQ(parse_proxy_addresses({}).primary, std::nullopt);
}

TEST(IdentityValues, PlausibleAddresses) {
  EXPECT_TRUE(is_plausible_address("a@b"));
  for (auto bad : {"", "@b", "a@", "ab", "a@b@c", "a b@c", "<a@b>", "a@b,c@d", "a\x01@b"})
    EXPECT_FALSE(is_plausible_address(bad)) << bad;
  EXPECT_FALSE(is_plausible_address(std::string(250, 'a') + "@b.cd"));
}

TEST(IdentityValues, RangedAttributes) {
  auto r = parse_ranged("member;range=0-1499");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->base, "member");
  EXPECT_EQ(r->low, 0);
  EXPECT_EQ(r->high, 1499);
  EXPECT_EQ(next_range(*r), "member;range=1500-*");
  auto last = parse_ranged("member;range=1500-*");
  ASSERT_TRUE(last);
  EXPECT_EQ(last->high, std::nullopt);
  for (auto bad :
       {"member", ";range=0-1", "member;range=", "member;range=5-1", "member;range=a-*", "member;range=-1-2"})
    EXPECT_EQ(parse_ranged(bad), std::nullopt) << bad;
}

}  // namespace
}  // namespace posta::directory::proto
