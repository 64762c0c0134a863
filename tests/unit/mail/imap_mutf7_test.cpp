// Modified UTF-7 mailbox names (RFC 3501 5.1.3): round trips and the
// spellings that must be refused.
#include "mail/imap/proto/mutf7.hpp"

#include <gtest/gtest.h>

namespace posta::mail::imap::proto {
namespace {

TEST(ImapMutf7, EncodesAsTheRfcExample) {
  // RFC 3501 5.1.3: "~peter/mail/台北/日本語"
  EXPECT_EQ(mutf7_encode("~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"),
            "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
  EXPECT_EQ(mutf7_encode("A&B"), "A&-B");
  EXPECT_EQ(mutf7_encode("Entw\xc3\xbcrfe"), "Entw&APw-rfe");
  EXPECT_EQ(mutf7_encode(""), "");
}

TEST(ImapMutf7, RoundTrips) {
  for (std::string_view s : {"INBOX", "Entw\xc3\xbcrfe", "&", "&&", "a\xf0\x9f\x98\x80z", "\xc3\xa9\xc3\xa9/x",
                             "Gesendete Objekte", "\xe2\x82\xac", "tab\there"}) {
    auto enc = mutf7_encode(s);
    auto dec = mutf7_decode(enc);
    ASSERT_TRUE(dec.has_value()) << enc;
    EXPECT_EQ(*dec, s);
  }
}

TEST(ImapMutf7, DecodesValidNames) {
  EXPECT_EQ(mutf7_decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-"),
            "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
  EXPECT_EQ(mutf7_decode("&2D3eAA-"), "\xf0\x9f\x98\x80");  // surrogate pair
  EXPECT_EQ(mutf7_decode("A&-B"), "A&B");
}

TEST(ImapMutf7, RejectsInvalidSpellings) {
  for (std::string_view bad : {
           "&",                   // unterminated
           "&U,BTFw",             // unterminated
           "&AGE-",               // 'a' must stand for itself
           "&U,BTFw-&ZeVnLIqe-",  // two adjacent runs must be one
           "&U,BTF-",             // leftover bits not zero / incomplete unit
           "&U,BTFx-",            // non-zero padding bits
           "&U/BTFw-",            // '/' is not in the modified alphabet
           "&2D0-",               // lone high surrogate
           "&3gA-",               // lone low surrogate
           "&AAA-",               // U+0000
           "caf\xc3\xa9",         // 8-bit byte
           "a\x01",               // control character
           "&U,BTFwA-",           // a wasted character
       })
    EXPECT_FALSE(mutf7_decode(bad).has_value()) << bad;
}

TEST(ImapMutf7, EncodesInvalidUtf8AsReplacement) {
  EXPECT_EQ(mutf7_decode(mutf7_encode("a\xff")), "a\xef\xbf\xbd");
}

}  // namespace
}  // namespace posta::mail::imap::proto
