// Request-target parsing and percent-decoding (RFC 3986 §2.1, RFC 9112 §3.2.1).
#include "core/http/target.hpp"

#include <gtest/gtest.h>

namespace posta::http {
namespace {

TEST(HttpPercentDecode, Table) {
  struct row {
    std::string_view in;
    bool plus_is_space;
    std::string_view out;
  };
  for (auto const& r : std::initializer_list<row>{
           {"", false, ""},
           {"plain", false, "plain"},
           {"bob%40example.test", false, "bob@example.test"},
           {"%2f%2F", false, "//"},
           {"a+b", false, "a+b"},
           {"a+b", true, "a b"},
           {"%C3%A9", false, "\xC3\xA9"},
       }) {
    auto got = percent_decode(r.in, r.plus_is_space);
    ASSERT_TRUE(got) << r.in;
    EXPECT_EQ(*got, r.out) << r.in;
  }
}

TEST(HttpPercentDecode, RejectsBadEscapes) {
  for (std::string_view bad : {"%", "%4", "%G0", "a%zz", "%00", "abc%"}) {
    auto got = percent_decode(bad);
    ASSERT_FALSE(got) << bad;
    EXPECT_EQ(got.error().code, errc::invalid_argument);
  }
}

TEST(HttpPercentEncode, RoundTrips) {
  std::string all;
  for (int c = 1; c < 256; ++c) all += static_cast<char>(c);
  auto const encoded = percent_encode(all);
  EXPECT_EQ(encoded.find_first_of("/@?&= "), std::string::npos);
  EXPECT_EQ(percent_encode("bob@x.test"), "bob%40x.test");
  auto decoded = percent_decode(encoded);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, all);
}

TEST(HttpParseTarget, SplitsPathAndQuery) {
  auto t = parse_target("/api/v1/accounts/bob%40x.test?domain=x.test&page=2&flag&q=a+b%26c");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->raw_path, "/api/v1/accounts/bob%40x.test");
  EXPECT_EQ(t->path, "/api/v1/accounts/bob@x.test");
  EXPECT_EQ(t->query.size(), 4u);
  EXPECT_EQ(t->query["domain"], "x.test");
  EXPECT_EQ(t->query["page"], "2");
  EXPECT_EQ(t->query["flag"], "");
  EXPECT_EQ(t->query["q"], "a b&c");
}

TEST(HttpParseTarget, EmptyQueryAndFragment) {
  auto t = parse_target("/x?#frag");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/x");
  EXPECT_TRUE(t->query.empty());
}

TEST(HttpParseTarget, Rejects) {
  for (std::string_view bad : {"", "x/y", "http://host/x", "*", "/a%zz", "/a?b=%4"}) {
    EXPECT_FALSE(parse_target(bad)) << bad;
  }
}

}  // namespace
}  // namespace posta::http
