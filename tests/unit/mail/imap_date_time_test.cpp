// IMAP date-time (APPEND, INTERNALDATE) and date (SEARCH) of RFC 3501 9.
#include "mail/imap/proto/date_time.hpp"

#include <gtest/gtest.h>

namespace posta::mail::imap::proto {
namespace {

using namespace std::chrono;

TEST(ImapDateTime, ParsesDateTimeWithZone) {
  auto d = parse_date_time("17-Jul-1996 02:44:25 -0700");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->zone_minutes, -420);
  EXPECT_EQ(d->utc, sys_days{1996y / July / 17} + 9h + 44min + 25s);
  auto fixed = parse_date_time(" 7-jul-1996 02:44:25 +0130");
  ASSERT_TRUE(fixed);
  EXPECT_EQ(fixed->utc, sys_days{1996y / July / 7} + 1h + 14min + 25s);
  EXPECT_TRUE(parse_date_time("7-Jul-1996 02:44:25 +0000"));  // COMPAT: no leading space
  EXPECT_TRUE(parse_date_time("07-Jul-1996 02:44:25 +0000"));
}

TEST(ImapDateTime, RejectsInvalidDateTimes) {
  for (std::string_view bad :
       {"", "17-Jul-1996 02:44:25", "17-Jul-1996 02:44:25 0700", "31-Feb-2024 00:00:00 +0000",
        "17-Foo-1996 02:44:25 +0000", "17-Jul-96 02:44:25 +0000", "17-Jul-1996 24:00:00 +0000",
        "17-Jul-1996 02:60:00 +0000", "17-Jul-1996 02:44:25 +0060", "117-Jul-1996 02:44:25 +0000",
        "17-Jul-1996  02:44:25 +0000", "17-Jul-1996 02:44:25 +00000", "17 Jul 1996 02:44:25 +0000"})
    EXPECT_FALSE(parse_date_time(bad)) << bad;
}

TEST(ImapDateTime, ParsesDates) {
  EXPECT_EQ(parse_date("1-Feb-1994"), 1994y / February / 1);
  EXPECT_EQ(parse_date("29-feb-2024"), 2024y / February / 29);
  for (std::string_view bad : {"29-Feb-2023", "1-Feb-94", "Feb-1-1994", "1-Feb-1994 ", "", "001-Feb-1994"})
    EXPECT_FALSE(parse_date(bad)) << bad;
}

TEST(ImapDateTime, FormatsInternalDate) {
  sys_seconds t = sys_days{1996y / July / 17} + 9h + 44min + 25s;
  EXPECT_EQ(format_internaldate(t), "\"17-Jul-1996 09:44:25 +0000\"");
  EXPECT_EQ(format_internaldate(t, -420), "\"17-Jul-1996 02:44:25 -0700\"");
  EXPECT_EQ(format_internaldate(sys_days{2026y / January / 2} + 0s), "\" 2-Jan-2026 00:00:00 +0000\"");
  auto back = parse_date_time(" 2-Jan-2026 00:00:00 +0000");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->utc, sys_days{2026y / January / 2} + 0s);
}

}  // namespace
}  // namespace posta::mail::imap::proto
