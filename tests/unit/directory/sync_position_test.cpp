// The short forms of stored sync positions that `posta directory show` prints.
#include "directory/proto/sync_position.hpp"

#include "core/util/base64.hpp"

#include <gtest/gtest.h>

namespace posta::directory::proto {
namespace {

TEST(SyncPosition, DirSyncCookieShowsItsHighestUsn) {
  // A cookie Samba 4.17 handed out (highest USN 4004).
  auto cookie = util::base64_decode(
      "TVNEUwMAAAAAFYeyIITdAQAAAAAAAAAAKAAAAKQPAAAAAAAAAAAAAAAAAACkDwAAAAAAAC7W8IABEQ5Iq7xwh03U+ZoBAAAAAAAAAAEAAAAAAAAA"
      "LtbwgAERDkirvHCHTdT5mqQPAAAAAAAA");
  ASSERT_TRUE(cookie);
  EXPECT_EQ(short_position(*cookie), "USN 4004");
  // Cut short: no USN to read, so only its size.
  EXPECT_EQ(short_position(cookie->substr(0, 40)), "40 bytes");
}

TEST(SyncPosition, PrintableCookiesAsTheyAreWithinABound) {
  EXPECT_EQ(short_position("rid=000,csn=20261204185012.123456Z#000000#000#000000"),
            "rid=000,csn=20261204185012.123456Z#000000#000#000000");
  EXPECT_EQ(short_position(std::string(100, 'a')), std::string(64, 'a') + "...");
  EXPECT_EQ(short_position(std::string("\x01\x02\x03", 3)), "3 bytes");
  EXPECT_EQ(short_position(""), "");
}

}  // namespace
}  // namespace posta::directory::proto
