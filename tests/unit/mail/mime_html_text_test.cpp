// HTML reduced to searchable text: tags, hidden content, character
// references, white space, and malformed input.
#include "mail/mime/proto/html_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace posta::mail::mime {
namespace {

TEST(MimeHtmlText, Table) {
  struct c {
    std::string_view in;
    std::string_view out;
  } const cases[] = {
      {"", ""},
      {"plain", "plain"},
      {"<p>Hello&nbsp;<b>wo</b>rld</p>", "Hello world"},
      {"<html><head><title>T</title><style>p { color: red }</style></head><body>x</body></html>", "T\nx"},
      {"a<SCRIPT type=x>var secret = '<p>';</ScRiPt>b", "ab"},
      {"a<!-- hidden <p> -->b", "ab"},
      {"one<br>two<BR/>three", "one\ntwo\nthree"},
      {"<td>a</td><td>b</td>", "a\nb"},
      {"  lots \r\n\t of   space  ", "lots of space"},
      {"&amp;&lt;&gt;&quot;&apos;", "&<>\"'"},
      {"&#233;&#xE9;&#XE9;", "\xc3\xa9\xc3\xa9\xc3\xa9"},
      {"&#0;&#xD800;&#99999999;", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
      {"&unknown; &amp &#; &#x;", "&unknown; &amp &#; &#x;"},
      {"soft&shy;hyphen", "softhyphen"},
      {"&euro;5 &mdash; ok",
       "\xe2\x82\xac"
       "5 \xe2\x80\x94 ok"},
      {"a < b and c<d", "a < b and c"},  // "<d" opens a tag that never ends
      {"unterminated <p class=", "unterminated"},
      {"<script>never closed", ""},
      {"<!-- never closed", ""},
      {"<!DOCTYPE html>x", "x"},
  };
  for (auto const& t : cases) EXPECT_EQ(html_to_text(t.in), t.out) << testing::PrintToString(std::string(t.in));
}

// SECURITY: hostile repetitions stay linear (quadratic would time out here).
TEST(MimeHtmlText, HostileInputStaysLinear) {
  EXPECT_EQ(html_to_text(std::string(1'000'000, '&')), std::string(1'000'000, '&'));
  EXPECT_EQ(html_to_text("<script>" + std::string(500'000, '<') + "</script>x"), "x");
  std::string tags;
  for (int i = 0; i < 200'000; ++i) tags += "<b>";
  EXPECT_EQ(html_to_text(tags + "x"), "x");
}

}  // namespace
}  // namespace posta::mail::mime
