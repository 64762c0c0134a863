// addressbook/proto/vcard_writer: folding, quoting, and what the parser reads
// back.
#include "addressbook/proto/vcard_writer.hpp"

#include "addressbook/proto/card_fields.hpp"

#include <gtest/gtest.h>

namespace posta::addressbook::proto {
namespace {

TEST(VcardWriter, FoldsAt75OctetsWithoutSplittingUtf8) {
  std::string text;
  for (int i = 0; i < 60; ++i) text += "é";  // two bytes each
  auto out = format_content_line(text_property("NOTE", text), vcard_version::v4_0);
  std::size_t start = 0;
  while (start < out.size()) {
    auto const end = out.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    auto const physical = std::string_view(out).substr(start, end - start);
    EXPECT_LE(physical.size(), 75u);
    // No physical line starts inside a two-byte sequence (after its fold space).
    auto const body = start == 0 ? physical : physical.substr(1);
    if (!body.empty()) {
      EXPECT_NE(static_cast<unsigned char>(body.front()) & 0xC0, 0x80);
    }
    start = end + 2;
  }
  EXPECT_EQ(unfold_lines(out), std::vector<std::string>{"NOTE:" + text});
}

TEST(VcardWriter, QuotesAndCaretEncodesParameters) {
  content_line adr = structured_property("ADR", {"", "", "1 Main St; Apt 2", "Springfield"},
                                         {{"LABEL", {"1 Main St\n\"Apt\" 2, Springfield"}}, {"TYPE", {"work"}}});
  auto v4 = format_content_line(adr, vcard_version::v4_0);
  EXPECT_EQ(v4, "ADR;LABEL=\"1 Main St^n^'Apt^' 2, Springfield\";TYPE=work:;;1 Main St\\; Apt 2\r\n ;Springfield\r\n");
  auto back = parse_content_line(unfold_lines(v4).front(), true);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->params, adr.params);
  EXPECT_EQ(components(back->value), (std::vector<std::string>{"", "", "1 Main St; Apt 2", "Springfield"}));
  auto v3 = format_content_line(adr, vcard_version::v3_0);
  EXPECT_EQ(v3.substr(0, 41), "ADR;LABEL=\"1 Main StApt 2, Springfield\";T");
}

TEST(VcardWriter, CardsWrittenInBothVersionsReadBackToTheSameFields) {
  for (auto version : {vcard_version::v3_0, vcard_version::v4_0}) {
    vcard card{version, {}};
    card.properties.push_back(text_property("UID", "gal-42"));
    card.properties.push_back(text_property("FN", "Zoë O'Brien, PhD"));
    card.properties.push_back(structured_property("N", {"O'Brien", "Zoë", "", "", "PhD"}));
    card.properties.push_back(text_property("EMAIL", "zoe@example.org", {{"TYPE", {"work"}}}));
    card.properties.push_back(text_property("NOTE", "two\nlines; and a, comma"));
    card.properties.push_back(photo_property(std::string("\xff\xd8\xff\xe0", 4), "image/jpeg", version));
    auto text = format_vcard(card);
    auto back = parse_vcard(text);
    ASSERT_TRUE(back) << back.error().message() << "\n" << text;
    EXPECT_EQ(back->version, version);
    auto f = extract_fields(*back);
    EXPECT_EQ(f.uid, "gal-42");
    EXPECT_EQ(f.formatted_name, "Zoë O'Brien, PhD");
    EXPECT_EQ(f.given_name, "Zoë");
    EXPECT_EQ(f.name_suffix, "PhD");
    ASSERT_EQ(f.emails.size(), 1u);
    EXPECT_EQ(f.emails[0].types, std::vector<std::string>{"work"});
    EXPECT_EQ(f.note, "two\nlines; and a, comma");
    ASSERT_TRUE(f.photo);
    EXPECT_EQ(f.photo->media_type, "image/jpeg");
    EXPECT_EQ(f.photo->bytes, "\xff\xd8\xff\xe0");
  }
}

}  // namespace
}  // namespace posta::addressbook::proto
