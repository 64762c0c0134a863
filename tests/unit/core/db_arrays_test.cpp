// Array literals carry batches as single parameters; any text must survive.
#include "core/db/arrays.hpp"
#include "core/util/concat.hpp"
#include "core/util/date.hpp"

#include <gtest/gtest.h>

namespace posta {
namespace {

TEST(DbArrays, IntegersAndQuotedText) {
  EXPECT_EQ(db::int_array({}), "{}");
  EXPECT_EQ(db::int_array({1, -2, 30}), "{1,-2,30}");
  EXPECT_EQ(db::text_array({}), "{}");
  EXPECT_EQ(db::text_array({"a", "", "b c", "q\"uote", "back\\slash", "{,}", "NULL"}),
            R"({"a","","b c","q\"uote","back\\slash","{,}","NULL"})");
}

TEST(Util, ConcatAndRfc5322Date) {
  EXPECT_EQ(util::concat({"<", "a@b", ">"}), "<a@b>");
  EXPECT_EQ(util::concat({}), "");
  // 2026-11-27 17:48:41 UTC is a Friday.
  EXPECT_EQ(util::rfc5322_date(std::chrono::system_clock::from_time_t(1795801721)),
            "Fri, 27 Nov 2026 17:48:41 +0000");
}

}  // namespace
}  // namespace posta
