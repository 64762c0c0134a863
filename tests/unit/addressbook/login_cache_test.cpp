// addressbook/dav/login_cache: only the same login and password match.
#include "addressbook/dav/login_cache.hpp"

#include <gtest/gtest.h>

namespace posta::addressbook::dav {
namespace {

TEST(DavLoginCache, TheSamePasswordOnly) {
  login_cache cache;
  EXPECT_FALSE(cache.find("ada@example.org", "secret"));
  cache.remember("ada@example.org", "secret", {7, "ada@example.org", "Ada"});
  auto hit = cache.find("ada@example.org", "secret");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->account_id, 7);
  EXPECT_FALSE(cache.find("ada@example.org", "Secret"));
  EXPECT_FALSE(cache.find("ada@example.org", ""));
  // The login's length keeps login "a" with password "b<NUL>c" apart from "a<NUL>b" with "c".
  using namespace std::string_view_literals;
  cache.remember("a"sv, "b\0c"sv, {1, "a", ""});
  EXPECT_TRUE(cache.find("a"sv, "b\0c"sv));
  EXPECT_FALSE(cache.find("a\0b"sv, "c"sv));
}

TEST(DavLoginCache, StaysBounded) {
  login_cache cache;
  for (std::size_t i = 0; i < login_cache::max_entries + 10; ++i)
    cache.remember("user" + std::to_string(i), "pw", {static_cast<std::int64_t>(i), "", ""});
  EXPECT_TRUE(cache.find("user" + std::to_string(login_cache::max_entries + 9), "pw"));
}

}  // namespace
}  // namespace posta::addressbook::dav
