// Text parameters PostgreSQL cannot hold are refused before SQL, naming the parameter.
#include "core/db/param_check.hpp"
#include "core/util/utf8.hpp"

#include <gtest/gtest.h>

namespace posta::db {
namespace {

using namespace std::string_literals;

TEST(DbParamCheck, StorableTextPasses) {
  EXPECT_FALSE(unstorable_parameter("SELECT $1, $2, $3", make_params("plain", "caf\xc3\xa9", nullptr)));
  EXPECT_FALSE(unstorable_parameter("SELECT $1", make_params("\xf0\x9f\x93\xab")));  // U+1F4EB
}

TEST(DbParamCheck, NulAndBadUtf8AreRefusedWithTheirPosition) {
  auto nul = unstorable_parameter("INSERT INTO queue(envid) VALUES ($1)", make_params("ok", "ab\0c"s));
  ASSERT_TRUE(nul);
  EXPECT_EQ(nul->code, make_error_code(errc::invalid_argument));
  EXPECT_NE(nul->context.find("parameter $2"), std::string::npos) << nul->context;
  EXPECT_NE(nul->context.find("NUL byte at offset 2"), std::string::npos) << nul->context;
  EXPECT_NE(nul->context.find("INSERT INTO queue(envid)"), std::string::npos) << nul->context;

  for (std::string bad : {"abc\xff"s, "\xc3"s, "\xc0\xaf"s /* overlong */, "\xed\xa0\x80"s /* surrogate */,
                          "\xf4\x90\x80\x80"s /* > U+10FFFF */}) {
    auto e = unstorable_parameter("SELECT $1", make_params(bad));
    ASSERT_TRUE(e) << bad;
    EXPECT_NE(e->context.find("not UTF-8"), std::string::npos) << e->context;
  }
}

TEST(DbParamCheck, FirstUnstorableByte) {
  EXPECT_EQ(util::first_unstorable_byte(""), std::nullopt);
  EXPECT_EQ(util::first_unstorable_byte("a\xc3\xa9" "b\xff"), 4u);
  EXPECT_EQ(util::first_unstorable_byte("\0"s), 0u);
  EXPECT_EQ(util::sanitize_utf8("a\xff" "b\0c"s), "a\xef\xbf\xbd" "bc");
}

}  // namespace
}  // namespace posta::db
