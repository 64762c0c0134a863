// addressbook/proto/card_fields (and value.hpp's decoding): the fields of
// cards as Thunderbird, Apple, Android and old Outlook write them.
#include "addressbook/proto/card_fields.hpp"

#include <gtest/gtest.h>

namespace posta::addressbook::proto {
namespace {

card_fields fields_of(std::string_view text) {
  auto card = parse_vcard(text);
  EXPECT_TRUE(card) << (card ? "" : card.error().message());
  return card ? extract_fields(*card) : card_fields{};
}

TEST(VcardFields, Version4FromThunderbird) {
  auto f = fields_of(
      "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:u-1\r\nFN:Ada Lovelace\r\nN:Lovelace;Ada;Augusta;Lady;\r\n"
      "EMAIL;TYPE=home;PREF=2:ada@home.example\r\nEMAIL;TYPE=work;PREF=1:ada@work.example\r\n"
      "TEL;VALUE=uri;TYPE=cell:tel:+44-20-7946-0000\r\nORG:Analytical Engines;Research\r\n"
      "TITLE:Programmer\r\nNOTE:first line\\nsecond\\, with comma\r\nCATEGORIES:friends,math\\,s\r\n"
      "PHOTO:data:image/png;base64,iVBORw0KGgo=\r\nEND:VCARD\r\n");
  EXPECT_EQ(f.uid, "u-1");
  EXPECT_EQ(f.kind, "individual");
  EXPECT_EQ(f.formatted_name, "Ada Lovelace");
  EXPECT_EQ(f.family_name, "Lovelace");
  EXPECT_EQ(f.given_name, "Ada");
  EXPECT_EQ(f.additional_names, "Augusta");
  EXPECT_EQ(f.name_prefix, "Lady");
  ASSERT_EQ(f.emails.size(), 2u);
  EXPECT_EQ(f.emails[0].value, "ada@work.example");  // PREF=1 first
  EXPECT_EQ(f.emails[0].types, std::vector<std::string>{"work"});
  ASSERT_EQ(f.phones.size(), 1u);
  EXPECT_EQ(f.phones[0].value, "+44-20-7946-0000");
  EXPECT_EQ(f.organization, "Analytical Engines");
  EXPECT_EQ(f.department, "Research");
  EXPECT_EQ(f.note, "first line\nsecond, with comma");
  EXPECT_EQ(f.categories, (std::vector<std::string>{"friends", "math,s"}));
  ASSERT_TRUE(f.photo);
  EXPECT_EQ(f.photo->media_type, "image/png");
  EXPECT_EQ(f.photo->bytes, std::string("\x89PNG\r\n\x1a\n", 8));
}

TEST(VcardFields, Version3FromAppleWithGroupsPrefAndBase64Photo) {
  auto f = fields_of(
      "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Hopper;Grace;;;\r\nFN:Grace Hopper\r\n"
      "item1.EMAIL;type=INTERNET;type=WORK:grace@navy.example\r\n"
      "item2.EMAIL;type=INTERNET;type=HOME;type=pref:grace@home.example\r\n"
      "TEL;type=\"CELL,VOICE\":555 0101\r\n"
      "ADR;TYPE=work:;;1 Navy Way;Arlington;VA;22201;USA\r\n"
      "X-ADDRESSBOOKSERVER-KIND:group\r\n"
      "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4A==\r\nEND:VCARD\r\n");
  ASSERT_EQ(f.emails.size(), 2u);
  EXPECT_EQ(f.emails[0].value, "grace@home.example");  // TYPE=pref
  EXPECT_EQ(f.emails[0].types, (std::vector<std::string>{"internet", "home"}));
  ASSERT_EQ(f.phones.size(), 1u);
  EXPECT_EQ(f.phones[0].types, (std::vector<std::string>{"cell", "voice"}));
  ASSERT_EQ(f.addresses.size(), 1u);
  EXPECT_EQ(f.addresses[0].value, "1 Navy Way, Arlington, VA, 22201, USA");
  EXPECT_EQ(f.kind, "group");
  ASSERT_TRUE(f.photo);
  EXPECT_EQ(f.photo->media_type, "image/jpeg");
  EXPECT_EQ(f.photo->bytes, "\xff\xd8\xff\xe0");
}

TEST(VcardFields, Version21QuotedPrintableAndCharsets) {
  auto f = fields_of(
      "BEGIN:VCARD\r\nVERSION:2.1\r\n"
      "N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;J=FCrgen\r\n"
      "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Gr=C3=BC=C3=9Fe=0D=0A=\r\nzweite Zeile\r\n"
      "ORG;CHARSET=WINDOWS-1252:Caf\xe9 \x80uro\r\n"
      "TEL;WORK;VOICE:+49 30 1234\r\nX-JABBER:juergen@example.de\r\nEND:VCARD\r\n");
  EXPECT_EQ(f.family_name, "Müller");
  EXPECT_EQ(f.given_name, "Jürgen");
  EXPECT_EQ(f.formatted_name, "Jürgen Müller");  // made from N: FN is missing
  EXPECT_EQ(f.note, "Grüße\r\nzweite Zeile");
  EXPECT_EQ(f.organization, "Café €uro");
  ASSERT_EQ(f.phones.size(), 1u);
  EXPECT_EQ(f.phones[0].types, (std::vector<std::string>{"work", "voice"}));
  ASSERT_EQ(f.impps.size(), 1u);
  EXPECT_EQ(f.impps[0].value, "xmpp:juergen@example.de");
}

TEST(VcardFields, UndecodableValuesAreNamedNotGuessed) {
  auto f = fields_of(
      "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:ok\r\nNOTE:bad \xff\xfe utf-8\r\n"
      "PHOTO;ENCODING=b;TYPE=JPEG:***\r\nEND:VCARD\r\n");
  EXPECT_EQ(f.formatted_name, "ok");
  EXPECT_TRUE(f.note.empty());
  EXPECT_FALSE(f.photo);
  EXPECT_EQ(f.unreadable, (std::vector<std::string>{"NOTE", "PHOTO"}));
}

TEST(VcardFields, NameFallsBackToOrganizationThenMail) {
  EXPECT_EQ(fields_of("BEGIN:VCARD\r\nVERSION:4.0\r\nORG:Acme\r\nEND:VCARD\r\n").formatted_name, "Acme");
  EXPECT_EQ(fields_of("BEGIN:VCARD\r\nVERSION:4.0\r\nEMAIL:a@b.example\r\nEND:VCARD\r\n").formatted_name,
            "a@b.example");
}

TEST(VcardValue, EscapingBothWays) {
  EXPECT_EQ(unescape_text(R"(a\,b\;c\\d\ne\Nf\:g\x)"), "a,b;c\\d\ne\nf:g\\x");
  EXPECT_EQ(escape_text("a,b;c\\d\r\ne\nf"), R"(a\,b\;c\\d\ne\nf)");
  EXPECT_EQ(unescape_text(escape_text("round, trip; \\ \n")), "round, trip; \\ \n");
  EXPECT_EQ(components(R"(a\;b;c;;d)"), (std::vector<std::string>{"a;b", "c", "", "d"}));
  EXPECT_EQ(decode_quoted_printable("=41=4a=Z1=4"), "AJ=Z1=4");
}

TEST(VcardValue, PhotoReferencesAndPercentEncodedData) {
  auto uri = decoded_binary(*parse_content_line("PHOTO;MEDIATYPE=image/jpeg:https://example.org/p.jpg", true));
  ASSERT_TRUE(uri);
  EXPECT_EQ(uri->uri, "https://example.org/p.jpg");
  EXPECT_EQ(uri->media_type, "image/jpeg");
  auto plain = decoded_binary(*parse_content_line("LOGO:data:text/plain,a%20b", true));
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->bytes, "a b");
  EXPECT_FALSE(decoded_binary(*parse_content_line("PHOTO:data:image/png;base64", true)));
}

}  // namespace
}  // namespace posta::addressbook::proto
