// The character rules of the IMAP grammar: ASCII case without the C locale
// and strict UTF-8 (RFC 3629 4).
#include "mail/imap/proto/text.hpp"

#include <gtest/gtest.h>

namespace posta::mail::imap::proto {
namespace {

TEST(ImapText, AsciiCase) {
  EXPECT_EQ(upper("Fetch body.peek[]"), "FETCH BODY.PEEK[]");
  EXPECT_EQ(upper("\xc3\xa9"), "\xc3\xa9");  // bytes above ASCII are left alone
  EXPECT_TRUE(iequals("InBoX", "INBOX"));
  EXPECT_FALSE(iequals("INBOX", "INBOX/"));
  EXPECT_FALSE(iequals("\xe9", "\xc9"));
}

TEST(ImapText, Utf8Validity) {
  for (std::string_view ok : {"", "abc", "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xef\xbf\xbd"})
    EXPECT_TRUE(is_valid_utf8(ok)) << ok;
  for (std::string_view bad : {"\xc3", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff", "\x80",
                               "a\xc3(", "\xf0\x9f\x98"})
    EXPECT_FALSE(is_valid_utf8(bad)) << bad;
}

}  // namespace
}  // namespace posta::mail::imap::proto
