// Strict From / Sender parsing for sender checks (RFC 5322 3.4, 3.6, 3.6.2),
// with every bypass of the lenient parser from issue 7.
#include "mail/mime/originator.hpp"

#include <gtest/gtest.h>

#include <string>

namespace posta::mail::mime {
namespace {

std::string show(std::string_view value) {
  auto r = parse_mailbox_list(value);
  if (!r) return "error: " + r.error().context;
  std::string out;
  for (auto const& m : *r) out += (out.empty() ? "" : " ; ") + m;
  return out;
}

TEST(mime_originator, valid_mailbox_lists) {
  EXPECT_EQ(show("alice@bars.test"), "alice@bars.test");
  EXPECT_EQ(show("Alice <alice@bars.test>"), "alice@bars.test");
  EXPECT_EQ(show("\"Smith, Alice\" <alice@bars.test>"), "alice@bars.test");
  EXPECT_EQ(show("<alice@bars.test>"), "alice@bars.test");
  EXPECT_EQ(show("alice@bars.test (Alice (the first))"), "alice@bars.test");
  EXPECT_EQ(show("=?UTF-8?Q?J=C3=B6rg?= <j@bars.test>"), "j@bars.test");
  EXPECT_EQ(show("J\xC3\xB6rg <j@bars.test>"), "j@bars.test");
  EXPECT_EQ(show("Dr. A. Smith <a.smith@bars.test>"), "a.smith@bars.test");
  EXPECT_EQ(show("a@x, Bob <b@y>"), "a@x ; b@y");
  EXPECT_EQ(show("\"odd local\"@bars.test"), "\"odd local\"@bars.test");
  EXPECT_EQ(show("a@[192.0.2.1]"), "a@[192.0.2.1]");
  EXPECT_EQ(show("< alice @ bars.test >"), "alice@bars.test");
}

TEST(mime_originator, the_issue_bypasses_are_errors) {
  for (std::string_view bad : {
           "alice@bars.test <bob@bars.test>", "<alice@bars.test> bob@bars.test",
           "<alice@bars.test> <bob@bars.test>", "alice@bars.test;bob@bars.test", "bob", "",
           "g:;", "g:; bob@bars.test", "Undisclosed:;", "<@route:alice@bars.test>", "alice@", "@bars.test",
           "alice@bars.test,", "\"unterminated@bars.test", "alice@bars.test (open", "<alice@bars.test",
           "alice@bars..test", "alice@[1.2.3.4", "a@x b@y"}) {
    EXPECT_FALSE(parse_mailbox_list(bad)) << bad;
  }
  std::string groups;
  for (int i = 0; i < 1000; ++i) groups += "g:;";
  EXPECT_FALSE(parse_mailbox_list(groups + " bob@bars.test"));
  std::string many;
  for (int i = 0; i < 2000; ++i) many += "alice@bars.test,";
  auto r = parse_mailbox_list(many + "bob@bars.test");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().context.find("more than 100"), std::string::npos);
  std::string hundred;
  for (int i = 0; i < 99; ++i) hundred += "alice@bars.test,";
  EXPECT_TRUE(parse_mailbox_list(hundred + "bob@bars.test"));
}

TEST(mime_originator, exactly_one_from_and_at_most_one_sender) {
  auto ok = parse_originators("Received: x\r\nFrom: Alice <alice@bars.test>\r\nSender: s@bars.test\r\n\r\nFrom: body@x\r\n");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->from, std::vector<std::string>{"alice@bars.test"});
  EXPECT_EQ(ok->sender, "s@bars.test");
  auto folded = parse_originators("From: Alice\r\n <alice@bars.test>\r\n\r\n");
  ASSERT_TRUE(folded);
  EXPECT_EQ(folded->from, std::vector<std::string>{"alice@bars.test"});
  EXPECT_FALSE(parse_originators("From: alice@bars.test\r\nFrom: bob@bars.test\r\n\r\n"));
  EXPECT_FALSE(parse_originators("From: alice@bars.test\r\nFrom : bob@bars.test\r\n\r\n"));
  EXPECT_FALSE(parse_originators("from: alice@bars.test\r\nFROM:bob@bars.test\r\n\r\n"));
  EXPECT_FALSE(parse_originators("Subject: none\r\n\r\n"));
  EXPECT_FALSE(parse_originators("From: a@x\r\nSender: a@x\r\nSender: b@x\r\n\r\n"));
  EXPECT_FALSE(parse_originators("From: a@x\r\nSender: a@x, b@x\r\n\r\n"));
  auto bad = parse_originators("From: alice@bars.test <bob@bars.test>\r\n\r\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().context.rfind("Malformed From header", 0), 0u) << bad.error().context;
}

}  // namespace
}  // namespace posta::mail::mime
