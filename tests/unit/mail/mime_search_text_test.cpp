// The searchable text of a message and the IMAP SEARCH text keys over it
// (RFC 3501 6.4.4): decoded headers, text parts in any transfer encoding and
// charset, HTML, inner messages; attachments are not text.
#include "mail/mime/field_decoding.hpp"
#include "mail/mime/parse_message.hpp"
#include "mail/mime/search_text.hpp"
#include "mail/mime/utf8.hpp"

#include "tests/unit/mail/crlf.hpp"

#include <gtest/gtest.h>

#include <string>

namespace posta::mail::mime {
namespace {

using posta::test::crlf;

std::string const raw = crlf(
    "From: =?iso-8859-1?q?J=F6rg?= <joerg@example.org>\n"
    "To: bob@example.org\n"
    "Subject: =?utf-8?q?R=C3=A9union?= du\n"
    " lundi\n"
    "X-Custom: Value\n"
    "X-Empty:\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"b\"\n"
    "\n"
    "--b\n"
    "Content-Type: text/plain; charset=iso-8859-1\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "Caf=E9 cr=E8me, tr=\n"
    "op bon\n"
    "--b\n"
    "Content-Type: text/html; charset=utf-8\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "PHA+SGVsbG8gPGI+V29ybGQ8L2I+PC9wPg==\n"
    "--b\n"
    "Content-Type: application/octet-stream\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "c2VjcmV0IGJsb2I=\n"
    "--b\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "Subject: Inner subject\n"
    "\n"
    "inner text\n"
    "--b--\n");

class MimeSearchText : public testing::Test {
 protected:
  void SetUp() override {
    auto ms = parse_message(raw);
    ASSERT_TRUE(ms);
    text_ = extract_search_text(raw, *ms);
  }
  bool matches(search_text_key key, std::string_view needle, std::string_view field = {}) const {
    return text_key_matches(text_, key, substring_matcher(needle), field);
  }
  search_text text_;
};

TEST_F(MimeSearchText, HeaderKeys) {
  EXPECT_TRUE(matches(search_text_key::subject, "r\xc3\xa9union du lundi"));  // decoded and unfolded
  EXPECT_TRUE(matches(search_text_key::subject, "R\xc3\x89UNION"));
  EXPECT_FALSE(matches(search_text_key::subject, "=?utf-8?"));
  EXPECT_TRUE(matches(search_text_key::from, "j\xc3\xb6rg"));
  EXPECT_TRUE(matches(search_text_key::from, "JOERG@example"));
  EXPECT_TRUE(matches(search_text_key::to, "bob"));
  EXPECT_FALSE(matches(search_text_key::cc, "bob"));
  EXPECT_FALSE(matches(search_text_key::bcc, ""));           // no Bcc field at all
  EXPECT_FALSE(matches(search_text_key::subject, "inner"));  // the inner message's header is body
  EXPECT_TRUE(matches(search_text_key::header, "value", "x-custom"));
  EXPECT_TRUE(matches(search_text_key::header, "", "X-EMPTY"));  // empty string: the field exists
  EXPECT_FALSE(matches(search_text_key::header, "", "X-Missing"));
  EXPECT_FALSE(matches(search_text_key::header, "value", "x-empty"));
}

TEST_F(MimeSearchText, BodyAndText) {
  EXPECT_TRUE(matches(search_text_key::body, "caf\xc3\xa9 cr\xc3\xa8me, troP bon"));  // QP soft break, Latin-1
  EXPECT_TRUE(matches(search_text_key::body, "hello world"));                         // base64 HTML
  EXPECT_FALSE(matches(search_text_key::body, "<b>"));
  EXPECT_FALSE(matches(search_text_key::body, "secret"));  // attachments are not text
  EXPECT_TRUE(matches(search_text_key::body, "inner subject"));
  EXPECT_TRUE(matches(search_text_key::body, "inner text"));
  EXPECT_FALSE(matches(search_text_key::body, "lundi"));
  EXPECT_TRUE(matches(search_text_key::text, "lundi"));
  EXPECT_TRUE(matches(search_text_key::text, "hello"));
  EXPECT_TRUE(matches(search_text_key::text, "x-custom: value"));
  EXPECT_FALSE(matches(search_text_key::body, "bon\nhello"));  // a match never spans two parts
  EXPECT_FALSE(matches(search_text_key::body, "bon hello"));
}

TEST(MimeSearchTextLimits, BodyTextIsBounded) {
  auto big = crlf("Subject: big\n\n") + std::string(100'000, 'a') + "needle";
  auto ms = parse_message(big);
  ASSERT_TRUE(ms);
  auto t = extract_search_text(big, *ms, {.max_body_bytes = 1000});
  EXPECT_LE(t.body.size(), 1001u);
  EXPECT_FALSE(text_key_matches(t, search_text_key::body, substring_matcher("needle")));
  EXPECT_TRUE(text_key_matches(extract_search_text(big, *ms), search_text_key::body, substring_matcher("NEEDLE")));
}

// The text read through search_text_ranges only (what SEARCH fetches of a
// stored message) is the text of the whole message.
search_text from_ranges(std::string const& m, message_structure const& ms, search_text_limits const& limits,
                        std::uint64_t* read = nullptr) {
  auto ranges = search_text_ranges(ms, limits);
  std::vector<std::pair<std::uint64_t, std::string>> got;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    EXPECT_LT(ranges[i].begin, ranges[i].end);
    if (i > 0) EXPECT_LT(ranges[i - 1].end, ranges[i].begin + 1);  // sorted, disjoint
    got.emplace_back(ranges[i].begin, m.substr(ranges[i].begin, ranges[i].end - ranges[i].begin));
    total += ranges[i].end - ranges[i].begin;
  }
  if (read) *read = total;
  message_bytes bytes = [&](std::uint64_t b, std::uint64_t e) -> std::string_view {
    for (auto const& [at, text] : got)
      if (b >= at && b < at + text.size()) return std::string_view(text).substr(b - at, std::min(e, at + text.size()) - b);
    return {};
  };
  return extract_search_text(bytes, ms, limits);
}

TEST_F(MimeSearchText, RangesReadTheTextNotTheAttachments) {
  auto ms = parse_message(raw);
  ASSERT_TRUE(ms);
  std::uint64_t read = 0;
  auto t = from_ranges(raw, *ms, {}, &read);
  EXPECT_EQ(t.header, text_.header);
  EXPECT_EQ(t.body, text_.body);
  EXPECT_LT(read, raw.size());
  for (auto const& r : search_text_ranges(*ms))  // the base64 attachment is not read
    EXPECT_FALSE(raw.substr(r.begin, r.end - r.begin).find("c2VjcmV0IGJsb2I=") != std::string::npos);
  // Header keys read the header alone.
  auto header_only = search_text_ranges(*ms, {.max_body_bytes = 0});
  ASSERT_EQ(header_only.size(), 1u);
  EXPECT_EQ(header_only[0], (message_range{ms->root.header_start, ms->root.body_start}));
}

// SECURITY: at most max_read_bytes of a message are read for its text.
TEST(MimeSearchTextRanges, ReadingIsBounded) {
  auto big = crlf("Subject: big\n\n") + std::string(100'000, 'a') + "needle";
  auto ms = parse_message(big);
  ASSERT_TRUE(ms);
  std::uint64_t read = 0;
  auto t = from_ranges(big, *ms, {.max_read_bytes = 5000}, &read);
  EXPECT_EQ(read, 5000u);
  EXPECT_FALSE(text_key_matches(t, search_text_key::body, substring_matcher("needle")));
  EXPECT_TRUE(text_key_matches(from_ranges(big, *ms, {}), search_text_key::body, substring_matcher("needle")));
}

TEST(MimeSearchTextLimits, UnknownEncodingIsSearchedRaw) {
  auto m = crlf("Content-Transfer-Encoding: x-uuencode\n\nplain words\n");
  auto ms = parse_message(m);
  ASSERT_TRUE(ms);
  EXPECT_TRUE(text_key_matches(extract_search_text(m, *ms), search_text_key::body, substring_matcher("WORDS")));
}

TEST(MimeCharset, ConvertsToUtf8) {
  EXPECT_EQ(charset_to_utf8("caf\xe9", "ISO-8859-1"), "caf\xc3\xa9");
  EXPECT_EQ(charset_to_utf8("\x80", "windows-1252"), "\xe2\x82\xac");
  EXPECT_EQ(charset_to_utf8("\xa4", "iso-8859-15"), "\xe2\x82\xac");
  EXPECT_EQ(charset_to_utf8("\x93\xfa\x96\x7b", "shift_jis"), "\xe6\x97\xa5\xe6\x9c\xac");  // 日本
  EXPECT_EQ(charset_to_utf8("caf\xc3\xa9", "utf-8"), "caf\xc3\xa9");
  EXPECT_EQ(charset_to_utf8("a\xff", "UTF-8"), "a\xef\xbf\xbd");
  EXPECT_EQ(charset_to_utf8("plain", ""), "plain");
  // 8-bit text under a wrong or unknown label still comes out as UTF-8.
  for (auto label : {"us-ascii", "", "x-unknown-charset", "utf-7"}) {
    auto s = charset_to_utf8("caf\xe9", label);
    EXPECT_TRUE(is_valid_utf8(s)) << label;
    EXPECT_TRUE(s.starts_with("caf")) << label;
  }
}

}  // namespace
}  // namespace posta::mail::mime
