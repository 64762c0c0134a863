// Response lines (RFC 3501 7): status responses with codes, untagged data,
// continuations, literals and mailbox names on the wire.
#include "mail/imap/proto/parse_command.hpp"
#include "mail/imap/proto/response.hpp"
#include "mail/imap/proto/response_data.hpp"

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

// The name a FETCH response gives each attribute, from the parsed request.
TEST(ImapResponse, FetchResponseNames) {
  auto names = [](std::string_view atts) {
    std::string out;
    auto p = parse_command("a FETCH 1 " + std::string(atts));
    EXPECT_TRUE(p.ok()) << atts;
    if (!p.ok()) return out;
    for (auto const& a : std::get<fetch_cmd>(p.cmd()).atts) out += fetch_response_name(a) + "|";
    return out;
  };
  EXPECT_EQ(names("FAST"), "FLAGS|INTERNALDATE|RFC822.SIZE|");
  EXPECT_EQ(names("(BODY.PEEK[] BODY[1.2.MIME] BODY[TEXT]<10.20> BODY[3.HEADER])"),
            "BODY[]|BODY[1.2.MIME]|BODY[TEXT]<10>|BODY[3.HEADER]|");
  EXPECT_EQ(names("(BODY[HEADER.FIELDS (From \"X Y\")] BODY.PEEK[1.HEADER.FIELDS.NOT (To)]<0.5>)"),
            "BODY[HEADER.FIELDS (From \"X Y\")]|BODY[1.HEADER.FIELDS.NOT (To)]<0>|");
  EXPECT_EQ(names("(BINARY.PEEK[1]<5.10> BINARY.SIZE[2] BODY BODYSTRUCTURE UID MODSEQ)"),
            "BINARY[1]<5>|BINARY.SIZE[2]|BODY|BODYSTRUCTURE|UID|MODSEQ|");
}

TEST(ImapResponse, Esearch) {
  std::vector<std::uint32_t> hits = {2, 3, 4, 9};
  result_options all_of_them{.present = true, .min = true, .max = true, .all = true, .count = true};
  EXPECT_EQ(format_esearch("a1", true, all_of_them, hits),
            "* ESEARCH (TAG \"a1\") UID MIN 2 MAX 9 COUNT 4 ALL 2:4,9\r\n");
  EXPECT_EQ(format_esearch("a2", false, all_of_them, {}), "* ESEARCH (TAG \"a2\") COUNT 0\r\n");
  result_options count{.present = true, .count = true};
  EXPECT_EQ(format_esearch("a3", false, count, hits, 917162500), "* ESEARCH (TAG \"a3\") COUNT 4 MODSEQ 917162500\r\n");
  result_options save{.present = true, .save = true};
  EXPECT_EQ(format_esearch("a4", true, save, hits), "* ESEARCH (TAG \"a4\") UID\r\n");
}

}  // namespace
}  // namespace posta::mail::imap::proto
