// Aligned text tables and field blocks.
#include "app/cli/table.hpp"

#include <gtest/gtest.h>

namespace posta::cli {
namespace {

TEST(CliTable, AlignsColumnsWithoutTrailingSpaces) {
  table t({"ADDRESS", "NAME", "QUOTA"});
  t.add_row({"alice@example.org", "Alice", "2 GiB"});
  t.add_row({"bo@x", "", "unlimited"});
  EXPECT_EQ(t.render(),
            "ADDRESS            NAME   QUOTA\n"
            "alice@example.org  Alice  2 GiB\n"
            "bo@x                      unlimited\n");
}

TEST(CliTable, CountsUtf8CodePointsNotBytes) {
  table t({"NAME", "X"});
  t.add_row({"Ünïcödé", "1"});
  t.add_row({"plain", "2"});
  EXPECT_EQ(t.render(),
            "NAME     X\n"
            "Ünïcödé  1\n"
            "plain    2\n");
  EXPECT_EQ(display_width("Ünïcödé"), 7u);
}

TEST(CliTable, ShortRowsAndControlCharacters) {
  table t({"A", "B"});
  t.add_row({"x"});
  t.add_row({"a\nb", "c\td"});
  EXPECT_EQ(t.rows(), 2u);
  EXPECT_EQ(t.render(),
            "A    B\n"
            "x\n"
            "a b  c d\n");
}

TEST(CliRenderFields, AlignsValues) {
  EXPECT_EQ(render_fields({{"Address", "a@b"}, {"Name", "A"}, {"Enabled", ""}}),
            "Address:  a@b\n"
            "Name:     A\n"
            "Enabled:\n");
}

}  // namespace
}  // namespace posta::cli
