// addressbook/proto/content_line: unfolding and one line's parts.
#include "addressbook/proto/content_line.hpp"

#include <gtest/gtest.h>

namespace posta::addressbook::proto {
namespace {

TEST(VcardContentLine, UnfoldsCrlfLfAndTabsAndDropsEmptyLines) {
  auto lines = unfold_lines("FN:Jo\r\n hn\r\nNOTE:a\n\tb\n\r\n\r\nTEL:1\rEMAIL:x");
  EXPECT_EQ(lines, (std::vector<std::string>{"FN:John", "NOTE:ab", "TEL:1", "EMAIL:x"}));
}

TEST(VcardContentLine, FoldingAtEverySplitPointReadsTheSame) {
  std::string const line = "NOTE;LANGUAGE=fr:Réunion annuelle\\, salle B";
  for (std::size_t cut = 1; cut < line.size(); ++cut) {
    auto const folded = line.substr(0, cut) + "\r\n " + line.substr(cut) + "\r\n";
    EXPECT_EQ(unfold_lines(folded), std::vector<std::string>{line}) << cut;
  }
}

TEST(VcardContentLine, QuotedPrintableSoftBreaksOfVcard21) {
  auto lines = unfold_lines("NOTE;ENCODING=QUOTED-PRINTABLE:line one=0D=0A=\r\nline two\r\nFN:x\r\n");
  EXPECT_EQ(lines, (std::vector<std::string>{"NOTE;ENCODING=QUOTED-PRINTABLE:line one=0D=0Aline two", "FN:x"}));
  // A value ending in "=" that is not quoted-printable is not joined, nor END.
  EXPECT_EQ(unfold_lines("NOTE:a=\r\nFN:x").size(), 2u);
  EXPECT_EQ(unfold_lines("NOTE;QUOTED-PRINTABLE:a=\r\nEND:VCARD").size(), 2u);
}

TEST(VcardContentLine, GroupNameParametersAndValue) {
  auto l = parse_content_line("item1.tel;type=WORK,voice;PREF=1:+1 555 0100", false);
  ASSERT_TRUE(l) << l.error().message();
  EXPECT_EQ(l->group, "item1");
  EXPECT_EQ(l->name, "TEL");
  ASSERT_EQ(l->params.size(), 2u);
  EXPECT_EQ(l->params[0].name, "TYPE");
  EXPECT_EQ(l->params[0].values, (std::vector<std::string>{"WORK", "voice"}));
  EXPECT_TRUE(l->has_type("work"));
  EXPECT_TRUE(l->has_type("VOICE"));
  EXPECT_EQ(l->param_value("PREF"), "1");
  EXPECT_EQ(l->value, "+1 555 0100");
}

TEST(VcardContentLine, QuotedParameterValuesMayHoldSeparators) {
  auto l = parse_content_line(R"(ADR;LABEL="12 Main St; Springfield, IL":;;12 Main St)", false);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->param_value("LABEL"), "12 Main St; Springfield, IL");
  EXPECT_EQ(l->value, ";;12 Main St");
}

TEST(VcardContentLine, BareVcard21ParametersAreTypesOrEncodings) {
  auto l = parse_content_line("TEL;WORK;VOICE;QUOTED-PRINTABLE:=31", false);
  ASSERT_TRUE(l);
  EXPECT_TRUE(l->has_type("work"));
  EXPECT_TRUE(l->has_type("voice"));
  EXPECT_EQ(l->param_value("ENCODING"), "QUOTED-PRINTABLE");
}

TEST(VcardContentLine, CaretEscapesOnlyWhenAsked) {
  auto v4 = parse_content_line(R"(ADR;LABEL="Line^none ^'q^' ^^":x)", true);
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->param_value("LABEL"), "Line\none \"q\" ^");
  auto v3 = parse_content_line(R"(ADR;LABEL="a^nb":x)", false);
  ASSERT_TRUE(v3);
  EXPECT_EQ(v3->param_value("LABEL"), "a^nb");
}

TEST(VcardContentLine, RefusesMalformedLines) {
  using namespace std::string_view_literals;
  for (std::string_view bad : {"NOCOLON"sv, ":novalue"sv, "TEL;:1"sv, "TEL;TYPE=\"open:1"sv, "A B:c"sv, "TEL;TYPE=a\"b:1"sv,
                               "NOTE:bell\x07"sv, "NOTE:nul\0x"sv, ".FN:x"sv}) {
    auto l = parse_content_line(bad, false);
    EXPECT_FALSE(l) << bad;
    if (!l) {
      EXPECT_EQ(l.error().code, errc::invalid_argument) << bad;
    }
  }
  EXPECT_TRUE(parse_content_line("NOTE:tab\there", false));
  EXPECT_TRUE(parse_content_line("X-EMPTY:", false));
}

TEST(VcardContentLine, BoundsOfNamesParametersAndValues) {
  line_limits limits;
  limits.max_params = 2;
  limits.max_param_values = 2;
  limits.max_name_bytes = 8;
  EXPECT_TRUE(parse_content_line("TEL;A=1;B=2:x", false, limits));
  auto many = parse_content_line("TEL;A=1;B=2;C=3:x", false, limits);
  ASSERT_FALSE(many);
  EXPECT_EQ(many.error().code, errc::limit_exceeded);
  EXPECT_EQ(parse_content_line("TEL;A=1,2,3:x", false, limits).error().code, errc::limit_exceeded);
  EXPECT_EQ(parse_content_line("TOOLONGNAME:x", false, limits).error().code, errc::limit_exceeded);
}

}  // namespace
}  // namespace posta::addressbook::proto
