// Tests for POP3 response formatting: status indicators, RESP-CODES,
// multi-line responses with byte-stuffing, sanitised text and the 512-octet
// line bound (RFC 1939 3, RFC 2449 8, RFC 3206, RFC 5034 4).
#include "mail/pop3/proto/reply.hpp"

#include <gtest/gtest.h>

namespace posta::mail::pop3::proto {
namespace {

TEST(Pop3Reply, StatusLines) {
  EXPECT_EQ(format(ok("2 320")), "+OK 2 320\r\n");
  EXPECT_EQ(format(ok("")), "+OK\r\n");
  EXPECT_EQ(format(err("No such message")), "-ERR No such message\r\n");
  EXPECT_EQ(format(err("Authentication failed", resp_code::auth)), "-ERR [AUTH] Authentication failed\r\n");
  EXPECT_EQ(format(err("later", resp_code::sys_temp)), "-ERR [SYS/TEMP] later\r\n");
  EXPECT_EQ(format(err("never", resp_code::sys_perm)), "-ERR [SYS/PERM] never\r\n");
  EXPECT_EQ(format(err("locked", resp_code::in_use)), "-ERR [IN-USE] locked\r\n");
  EXPECT_EQ(format(err("", resp_code::auth)), "-ERR [AUTH]\r\n");
}

TEST(Pop3Reply, MultiLineResponsesAreStuffedAndTerminated) {
  EXPECT_EQ(format(ok_lines("2 messages", {"1 120", "2 200"})), "+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n");
  EXPECT_EQ(format(ok_lines("", {})), "+OK\r\n.\r\n");
  EXPECT_EQ(format(ok_lines("x", {".hidden", "..", "a.b"})), "+OK x\r\n..hidden\r\n...\r\na.b\r\n.\r\n");
}

TEST(Pop3Reply, ControlCharactersCannotInjectLines) {
  EXPECT_EQ(format(err("bad\r\n+OK forged")), "-ERR bad  +OK forged\r\n");
  EXPECT_EQ(format(ok_lines("", {"a\r\n.\r\nb"})), "+OK\r\na  .  b\r\n.\r\n");
}

TEST(Pop3Reply, StatusLineBoundedTo512Octets) {
  auto line = format(err(std::string(2000, 'x')));
  EXPECT_EQ(line.size(), 512u);
  EXPECT_EQ(line.substr(line.size() - 2), "\r\n");
}

TEST(Pop3Reply, Continuation) {
  EXPECT_EQ(format_continuation(""), "+ \r\n");
  EXPECT_EQ(format_continuation("abc="), "+ abc=\r\n");
}

}  // namespace
}  // namespace posta::mail::pop3::proto
