// Response lines (RFC 3501 7): status responses with codes, untagged data,
// continuations, literals and mailbox names on the wire.
#include "mail/imap/proto/response.hpp"

#include <gtest/gtest.h>

namespace posta::mail::imap::proto {
namespace {

TEST(ImapResponse, StatusLines) {
  EXPECT_EQ(tagged("a1", status::ok, "", "LOGIN completed"), "a1 OK LOGIN completed\r\n");
  EXPECT_EQ(tagged("a2", status::no, "TOOBIG", "Message too large"), "a2 NO [TOOBIG] Message too large\r\n");
  EXPECT_EQ(tagged("", status::bad, "", "expected tag SP command"), "* BAD expected tag SP command\r\n");
  EXPECT_EQ(tagged("a3", status::bad, "", std::string("x\r\ny\0z", 6)), "a3 BAD x  y z\r\n");
  EXPECT_EQ(untagged_status(status::ok, "UIDVALIDITY 3857529045", "UIDs valid"),
            "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n");
  EXPECT_EQ(untagged_status(status::bye, "", "Logging out"), "* BYE Logging out\r\n");
  EXPECT_EQ(untagged_status(status::preauth, "", "ready"), "* PREAUTH ready\r\n");
  EXPECT_EQ(untagged("23 EXISTS"), "* 23 EXISTS\r\n");
  EXPECT_EQ(continuation(), "+ \r\n");
  EXPECT_EQ(continuation("go ahead"), "+ go ahead\r\n");
}

TEST(ImapResponse, StringsAndMailboxes) {
  std::string out;
  append_literal(out, "ab\r\n");
  EXPECT_EQ(out, "{4}\r\nab\r\n");
  out.clear();
  append_literal(out, std::string("a\0b", 3), true);
  EXPECT_EQ(out, std::string("~{3}\r\na\0b", 9));
  out.clear();
  append_astring(out, "INBOX");
  out += ' ';
  append_astring(out, "two words");
  out += ' ';
  append_astring(out, "");
  EXPECT_EQ(out, "INBOX \"two words\" \"\"");
  out.clear();
  append_mailbox(out, "Entw\xc3\xbcrfe", false);
  out += ' ';
  append_mailbox(out, "Entw\xc3\xbcrfe", true);
  EXPECT_EQ(out, "\"Entw&APw-rfe\" {9}\r\nEntw\xc3\xbcrfe");
}

}  // namespace
}  // namespace posta::mail::imap::proto
