// Signature templates: variables, escaping, refusals.
#include "directory/proto/signature_template.hpp"

#include <gtest/gtest.h>

namespace posta::directory::proto {
namespace {

std::string render(std::string_view text, signature_values const& v, template_kind kind = template_kind::html) {
  auto t = parse_signature_template(text, kind);
  EXPECT_TRUE(t) << (t ? "" : t.error().message());
  return t ? render_signature(*t, v, kind) : std::string();
}

TEST(SignatureTemplate, VariablesFilledAndEscapedInHtml) {
  signature_values v{{"cn", "Anna <Admin> & Co"}, {"title", "Head of \"IT\""}, {"telephoneNumber", "+1 555 0100"}};
  EXPECT_EQ(render("<p><b>[cn]</b>, [title]<br>Tel. [telephoneNumber]</p>", v),
            "<p><b>Anna &lt;Admin&gt; &amp; Co</b>, Head of &quot;IT&quot;<br>Tel. +1 555 0100</p>");
  EXPECT_EQ(render("[cn] -- [title]", v, template_kind::text), "Anna <Admin> & Co -- Head of \"IT\"");
}

TEST(SignatureTemplate, MissingValuesAreEmptyNamesAreCaseInsensitive) {
  EXPECT_EQ(render("[CN]|[mobile]|[ounotes]", {{"cn", "x"}}), "x||");
}

TEST(SignatureTemplate, BracketsThatAreNotVariables) {
  EXPECT_EQ(render("[[cn]] [1] [ cn ] [] [", {{"cn", "x"}}), "[cn]] [1] [ cn ] [] [");
}

TEST(SignatureTemplate, PostalAddressLines) {
  signature_values v{{"postalAddress", "1 Main St $ Suite 5\\24 $ Springfield"}, {"info", "a\r\nb"}};
  EXPECT_EQ(render("[postalAddress]", v), "1 Main St<br>Suite 5$<br>Springfield");
  EXPECT_EQ(render("[postalAddress]", v, template_kind::text), "1 Main St\nSuite 5$\nSpringfield");
  EXPECT_EQ(render("[info]", v), "a<br>b");
}

TEST(SignatureTemplate, UnknownVariablesRefusedWithTheirName) {
  auto t = parse_signature_template("Hi [cn] [salary]", template_kind::text);
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message().find("[salary] at offset 8"), std::string::npos) << t.error().message();
}

TEST(SignatureTemplate, ImagesOnlyAsDataUrls) {
  EXPECT_TRUE(parse_signature_template("<img src=\"data:image/png;base64,iVBOR\">", template_kind::html));
  EXPECT_TRUE(parse_signature_template("<img SRC = 'DATA:image/gif;base64,R0lG'>", template_kind::html));
  EXPECT_TRUE(parse_signature_template("<img data-src=\"x\" src=\"data:,\">", template_kind::html));
  EXPECT_FALSE(parse_signature_template("<img src=\"https://tracker.example/p.gif\">", template_kind::html));
  EXPECT_FALSE(parse_signature_template("<img src=//tracker.example/p.gif>", template_kind::html));
  // Text templates are never HTML.
  EXPECT_TRUE(parse_signature_template("src=https://example.test", template_kind::text));
}

TEST(SignatureTemplate, SizeBound) {
  EXPECT_FALSE(parse_signature_template(std::string(max_signature_template + 1, 'a'), template_kind::text));
  EXPECT_TRUE(parse_signature_template(std::string(max_signature_template, 'a'), template_kind::text));
}

}  // namespace
}  // namespace posta::directory::proto
