// Strict UTF-8 (RFC 3629 4) for quoted strings and mailbox names.
#include "mail/imap/proto/utf8.hpp"

#include <gtest/gtest.h>

namespace posta::mail::imap::proto {
namespace {

TEST(ImapUtf8, Validity) {
  for (std::string_view ok : {"", "abc", "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xef\xbf\xbd"})
    EXPECT_TRUE(is_valid_utf8(ok)) << ok;
  for (std::string_view bad : {"\xc3", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff", "\x80",
                               "a\xc3(", "\xf0\x9f\x98"})
    EXPECT_FALSE(is_valid_utf8(bad)) << bad;
}

}  // namespace
}  // namespace posta::mail::imap::proto
