// SIZE arguments ("500M", "2G", "0") and human-readable sizes.
#include "app/cli/size.hpp"

#include <gtest/gtest.h>

namespace posta::cli {
namespace {

TEST(CliParseSize, Table) {
  struct row {
    std::string_view in;
    std::int64_t bytes;
  };
  for (auto const& r : std::initializer_list<row>{
           {"0", 0},
           {"1", 1},
           {"1048576", 1048576},
           {"512B", 512},
           {"10k", 10 * 1024},
           {"10K", 10 * 1024},
           {"500M", 500LL * 1024 * 1024},
           {"500MB", 500LL * 1024 * 1024},
           {"500MiB", 500LL * 1024 * 1024},
           {"500 M", 500LL * 1024 * 1024},
           {"2G", 2LL << 30},
           {"2g", 2LL << 30},
           {"1.5G", 3LL << 29},
           {"1T", 1LL << 40},
           {"8191P", 8191LL << 50},
       }) {
    auto got = parse_size(r.in);
    ASSERT_TRUE(got) << r.in;
    EXPECT_EQ(*got, r.bytes) << r.in;
  }
}

TEST(CliParseSize, Rejects) {
  for (std::string_view bad : {"", "-1", "M", "1X", "1.5", "1..5G", ".5G", "1GG", "1 G B", "99999999999999999999",
                               "9000000P", "1e3", " 1G", "1Gi B"}) {
    auto got = parse_size(bad);
    ASSERT_FALSE(got) << bad;
    EXPECT_NE(got.error().context.find("not a size"), std::string::npos);
  }
}

TEST(CliFormatSize, Table) {
  struct row {
    std::int64_t bytes;
    std::string_view text;
  };
  for (auto const& r : std::initializer_list<row>{
           {0, "0 B"},
           {1023, "1023 B"},
           {1024, "1 KiB"},
           {1536, "1.5 KiB"},
           {500LL * 1024 * 1024, "500 MiB"},
           {3LL << 29, "1.5 GiB"},
           {2LL << 30, "2 GiB"},
           {(1LL << 40) + 1, "1 TiB"},
       }) {
    EXPECT_EQ(format_size(r.bytes), r.text) << r.bytes;
  }
  EXPECT_EQ(format_quota(0), "unlimited");
  EXPECT_EQ(format_quota(2LL << 30), "2 GiB");
}

TEST(CliSize, RoundTripsItsOwnOutput) {
  for (std::int64_t bytes : {1LL << 20, 3LL << 29, 5LL << 40}) {
    auto text = format_size(bytes);
    text.erase(text.find(' '), 1);
    auto back = parse_size(text);
    ASSERT_TRUE(back) << text;
    EXPECT_EQ(*back, bytes);
  }
}

}  // namespace
}  // namespace posta::cli
