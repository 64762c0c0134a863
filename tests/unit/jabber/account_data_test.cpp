// XEP-0054 vCards (the builder and what a set may change), XEP-0049 private
// XML (reserved namespaces, request checks, grouping) and XEP-0012 payloads.
#include "jabber/proto/last_activity.hpp"
#include "jabber/proto/private_xml.hpp"
#include "jabber/proto/vcard.hpp"

#include <gtest/gtest.h>

namespace posta::jabber::proto {
namespace {

TEST(Vcard, IdentityFieldsAndUserFields) {
  vcard v;
  v.full_name = "Alice <A>";
  v.email = "alice@a.test";
  v.jabber_id = "alice@a.test";
  EXPECT_EQ(format_vcard(v),
            "<vCard xmlns='vcard-temp'><FN>Alice &lt;A&gt;</FN><EMAIL><INTERNET/><PREF/><USERID>alice@a.test"
            "</USERID></EMAIL><JABBERID>alice@a.test</JABBERID></vCard>");
  v.nickname = "al";
  v.photo_type = "image/png";
  v.photo_base64 = "iVBORw==";
  v.telephone = "+1 555";
  v.title = "Engineer";
  v.department = "R&D";
  EXPECT_EQ(format_vcard(v),
            "<vCard xmlns='vcard-temp'><FN>Alice &lt;A&gt;</FN><NICKNAME>al</NICKNAME><PHOTO><TYPE>image/png</TYPE>"
            "<BINVAL>iVBORw==</BINVAL></PHOTO><TEL><WORK/><VOICE/><NUMBER>+1 555</NUMBER></TEL><EMAIL><INTERNET/>"
            "<PREF/><USERID>alice@a.test</USERID></EMAIL><JABBERID>alice@a.test</JABBERID><TITLE>Engineer</TITLE>"
            "<ORG><ORGNAME/><ORGUNIT>R&amp;D</ORGUNIT></ORG></vCard>");
  EXPECT_EQ(format_vcard({}), "<vCard xmlns='vcard-temp'></vCard>");
}

TEST(Vcard, SetReadsPhotoAndNickname) {
  vcard_limits limits;
  limits.max_photo_bytes = 8;
  vcard_set_request req;
  req.nickname = "al";
  req.has_photo_binval = true;
  req.photo_type = "image/jpeg";
  req.photo_bytes = std::string("\x00\x01\x02\x03", 4);
  auto out = read_vcard_set(req, limits);
  ASSERT_EQ(out.error, vcard_set_error::none);
  EXPECT_EQ(out.fields.nickname, "al");
  ASSERT_TRUE(out.fields.photo);
  EXPECT_EQ(out.fields.photo->bytes, std::string("\x00\x01\x02\x03", 4));
  EXPECT_EQ(out.fields.photo->type, "image/jpeg");
  // No PHOTO: a set replaces the vCard, so none is kept.
  EXPECT_FALSE(read_vcard_set({"al", false, {}, {}}, limits).fields.photo);
  // TYPE may be left out.
  EXPECT_EQ(read_vcard_set({"", true, "", "abc"}, limits).error, vcard_set_error::none);
}

TEST(Vcard, SetRefusals) {
  vcard_limits limits;
  limits.max_photo_bytes = 4;
  limits.max_nickname_bytes = 3;
  EXPECT_EQ(read_vcard_set({"abcd", false, {}, {}}, limits).error, vcard_set_error::not_acceptable);
  EXPECT_EQ(read_vcard_set({"", true, "image/png", std::nullopt}, limits).error, vcard_set_error::bad_request);
  EXPECT_EQ(read_vcard_set({"", true, "png", "abc"}, limits).error, vcard_set_error::bad_request);
  EXPECT_EQ(read_vcard_set({"", true, "image/png'><x", "abc"}, limits).error, vcard_set_error::bad_request);
  EXPECT_EQ(read_vcard_set({"", true, std::string(128, 'a') + "/b", "abc"}, limits).error,
            vcard_set_error::not_acceptable);
  // SECURITY: five decoded bytes are one past the bound.
  EXPECT_EQ(read_vcard_set({"", true, "image/png", std::string(5, 'x')}, limits).error,
            vcard_set_error::not_acceptable);
  EXPECT_EQ(read_vcard_set({"", true, "image/png", std::string(4, 'x')}, limits).error, vcard_set_error::none);
}

TEST(PrivateXml, ReservedNamespaces) {
  EXPECT_TRUE(is_reserved_private_namespace("jabber:iq:private"));
  EXPECT_TRUE(is_reserved_private_namespace("jabber:client"));
  EXPECT_TRUE(is_reserved_private_namespace("http://jabber.org/protocol/muc"));
  EXPECT_TRUE(is_reserved_private_namespace("vcard-temp"));
  EXPECT_FALSE(is_reserved_private_namespace("storage:bookmarks"));
  EXPECT_FALSE(is_reserved_private_namespace("exodus:prefs"));
  EXPECT_FALSE(is_reserved_private_namespace("http://jabber.org.example/x"));
}

TEST(PrivateXml, Requests) {
  using enum private_request_error;
  std::vector<private_element> const one{{"storage:bookmarks", "<storage xmlns='storage:bookmarks'/>"}};
  EXPECT_EQ(check_private_get(one), none);
  EXPECT_EQ(check_private_get({}), not_acceptable);
  EXPECT_EQ(check_private_get({one[0], one[0]}), not_acceptable);  // one namespace per get (section 3)
  EXPECT_EQ(check_private_set({}), not_acceptable);
  EXPECT_EQ(check_private_set({{"", "<x/>"}}), not_acceptable);  // unqualified: in jabber:iq:private itself
  EXPECT_EQ(check_private_set({one[0], {"vcard-temp", "<vCard xmlns='vcard-temp'/>"}}), not_acceptable);
  EXPECT_EQ(check_private_set({one[0], {"a:b", "<a xmlns='a:b'/>"}}), none);
  auto grouped =
      group_by_namespace({{"a:b", "<a xmlns='a:b'/>"}, {"c:d", "<c xmlns='c:d'/>"}, {"a:b", "<b xmlns='a:b'/>"}});
  ASSERT_EQ(grouped.size(), 2u);
  EXPECT_EQ(grouped["a:b"], "<a xmlns='a:b'/><b xmlns='a:b'/>");
  EXPECT_EQ(format_private_query("<a xmlns='a:b'/>"), "<query xmlns='jabber:iq:private'><a xmlns='a:b'/></query>");
}

TEST(LastActivity, Payload) {
  EXPECT_EQ(format_last_activity(903), "<query xmlns='jabber:iq:last' seconds='903'/>");
  EXPECT_EQ(format_last_activity(-5), "<query xmlns='jabber:iq:last' seconds='0'/>");
  EXPECT_EQ(format_last_activity(10, "Gone & back"),
            "<query xmlns='jabber:iq:last' seconds='10'>Gone &amp; back</query>");
}

}  // namespace
}  // namespace posta::jabber::proto
