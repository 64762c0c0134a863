// Tests for xtext (RFC 3461 4) decoding, encoding and round trips.
#include "mail/smtp/proto/xtext.hpp"

#include <gtest/gtest.h>

namespace posta::mail::smtp::proto {
namespace {

TEST(SmtpXtext, DecodesTable) {
  struct c {
    std::string_view in;
    std::optional<std::string> out;
  } const cases[] = {
      {"", std::string()},
      {"user@example.org", std::string("user@example.org")},
      {"a+2Bb", std::string("a+b")},
      {"a+3Db", std::string("a=b")},
      {"+20+7F+00", std::string(" \x7f\0", 3)},
      {"+c3+a9", std::string("\xc3\xa9")},  // COMPAT: lower-case hex
      {"<>", std::string("<>")},
      {"a+", std::nullopt},
      {"a+2", std::nullopt},
      {"a+G0", std::nullopt},
      {"a=b", std::nullopt},
      {"a b", std::nullopt},
      {"a\x01", std::nullopt},
      {"\xc3\xa9", std::nullopt},
  };
  for (auto const& t : cases) EXPECT_EQ(xtext_decode(t.in), t.out) << t.in;
}

TEST(SmtpXtext, EncodesTable) {
  EXPECT_EQ(xtext_encode("user@example.org"), "user@example.org");
  EXPECT_EQ(xtext_encode("a+b=c d"), "a+2Bb+3Dc+20d");
  EXPECT_EQ(xtext_encode(std::string("\0\r\n", 3)), "+00+0D+0A");
  EXPECT_EQ(xtext_encode("\xc3\xa9"), "+C3+A9");
  EXPECT_EQ(xtext_encode(""), "");
}

TEST(SmtpXtext, RoundTripsEveryOctet) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  auto decoded = xtext_decode(xtext_encode(all));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, all);
}

TEST(SmtpXtext, RoundTripsSamples) {
  for (std::string s : {"<>", "rfc822;a@b", "\"quoted\"@x", "100%", "a+b", "\xf0\x9f\x93\xa7"}) {
    auto d = xtext_decode(xtext_encode(s));
    ASSERT_TRUE(d) << s;
    EXPECT_EQ(*d, s);
  }
}

}  // namespace
}  // namespace posta::mail::smtp::proto
