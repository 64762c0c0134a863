// addressbook/proto/gal_card: directory attributes into cards clients read.
#include "addressbook/proto/gal_card.hpp"

#include "addressbook/proto/card_fields.hpp"

#include <gtest/gtest.h>

namespace posta::addressbook::proto {
namespace {

TEST(GalCard, AccountWithDirectoryAttributesReadsBackAsFields) {
  gal_entry e;
  e.id = 12;
  e.address = "ada@example.org";
  e.display_name = "Ada Lovelace";
  e.aliases = {"a.lovelace@example.org"};
  e.attributes = {{"given_name", "Ada"}, {"surname", "Lovelace"}, {"title", "Analyst; senior"},
                  {"department", "Engines"}, {"company", "Babbage & Co"}, {"phone", "+44 20 1"},
                  {"mobile", "+44 7700 1"}, {"street", "1 St James's Sq"}, {"city", "London"},
                  {"description", "First programmer"}, {"url", "https://example.org/ada"}};
  e.photo = std::string("\xff\xd8\xff\xe0", 4);
  EXPECT_EQ(gal_resource(e), "account-12.vcf");
  auto text = gal_vcard(e);
  auto card = parse_vcard(text);
  ASSERT_TRUE(card) << card.error().message() << text;
  EXPECT_EQ(card->version, vcard_version::v3_0);
  auto f = extract_fields(*card);
  EXPECT_EQ(f.uid, "urn:x-posta:gal:account-12");
  EXPECT_EQ(f.formatted_name, "Ada Lovelace");
  EXPECT_EQ(f.given_name, "Ada");
  EXPECT_EQ(f.title, "Analyst; senior");
  EXPECT_EQ(f.organization, "Babbage & Co");
  EXPECT_EQ(f.department, "Engines");
  ASSERT_EQ(f.emails.size(), 2u);
  EXPECT_EQ(f.emails[0].value, "ada@example.org");
  ASSERT_EQ(f.phones.size(), 2u);
  EXPECT_EQ(f.phones[1].types, std::vector<std::string>{"cell"});
  ASSERT_EQ(f.addresses.size(), 1u);
  EXPECT_EQ(f.addresses[0].value, "1 St James's Sq, London");
  ASSERT_EQ(f.impps.size(), 1u);
  EXPECT_EQ(f.impps[0].value, "xmpp:ada@example.org");
  EXPECT_EQ(f.note, "First programmer");
  ASSERT_TRUE(f.photo);
  EXPECT_EQ(f.photo->bytes, *e.photo);
}

TEST(GalCard, GroupsAreGroupCardsWithMembers) {
  gal_entry g;
  g.what = gal_entry::kind::group;
  g.id = 3;
  g.address = "sales@example.org";
  g.display_name = "Sales";
  g.members = {"ada@example.org", "bob@example.org"};
  auto card = parse_vcard(gal_vcard(g));
  ASSERT_TRUE(card);
  auto f = extract_fields(*card);
  EXPECT_EQ(f.kind, "group");
  EXPECT_EQ(f.formatted_name, "Sales");
  EXPECT_EQ(card->all("X-ADDRESSBOOKSERVER-MEMBER").size(), 2u);
  EXPECT_TRUE(f.impps.empty());
}

}  // namespace
}  // namespace posta::addressbook::proto
