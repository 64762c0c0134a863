// The values of signature variables from what a directory entry holds.
#include "directory/store/signature_values.hpp"

#include <gtest/gtest.h>

namespace posta::directory::store {
namespace {

TEST(SignatureValues, FromDetails) {
  auto v = signature_values_of(
      "Ann Lee", "ann@corp.test", "CN=Ann Lee,OU=Sales,OU=Staff,DC=corp,DC=test",
      {{"phone", "+1 555 0100"}, {"title", "Lead"}, {"street", "1 Main St"}, {"city", "Springfield"}});
  EXPECT_EQ(v["cn"], "Ann Lee");
  EXPECT_EQ(v["mail"], "ann@corp.test");
  EXPECT_EQ(v["telephoneNumber"], "+1 555 0100");
  EXPECT_EQ(v["title"], "Lead");
  EXPECT_EQ(v["postalAddress"], "1 Main St$Springfield");  // RFC 4517 lines
  EXPECT_EQ(v["ou"], "Sales");                             // AD: the OU the account lives in
  EXPECT_EQ(v["mobile"], "");
}

TEST(SignatureValues, OuAttributeWinsAndPostalAddressAsStored) {
  auto v = signature_values_of("Al", "al@corp.test", "uid=al,ou=people,dc=corp,dc=test",
                               {{"ou", "Research"}, {"postal_address", "Lab 3$Building 2"}, {"street", "ignored"}});
  EXPECT_EQ(v["ou"], "Research");
  EXPECT_EQ(v["postalAddress"], "Lab 3$Building 2");
}

TEST(SignatureValues, OuNotesAsTheSyncStoredThem) {
  auto v =
      signature_values_of("Ann", "ann@corp.test", "CN=Ann,OU=Sales,DC=corp", {{"ounotes", "Sales floor, 2nd level"}});
  EXPECT_EQ(v["ou"], "Sales");
  EXPECT_EQ(v["ounotes"], "Sales floor, 2nd level");
  EXPECT_EQ(signature_values_of("Bo", "bo@corp.test", "CN=Bo,OU=Sales,DC=corp", {})["ounotes"], "");
}

TEST(SignatureValues, RenderedThroughTheTemplate) {
  auto t = proto::parse_signature_template("<b>[cn]</b> [title]<br>[postalAddress]", proto::template_kind::html);
  ASSERT_TRUE(t);
  auto v = signature_values_of("A <B>", "a@b.test", "", {{"title", "R&D"}, {"postal_address", "x$y"}});
  EXPECT_EQ(proto::render_signature(*t, v, proto::template_kind::html), "<b>A &lt;B&gt;</b> R&amp;D<br>x<br>y");
}

}  // namespace
}  // namespace posta::directory::store
