// Tests for SMTP reply formatting, the named replies and the EHLO builder.
#include "mail/smtp/proto/reply.hpp"

#include <gtest/gtest.h>

namespace posta::mail::smtp::proto {
namespace {

TEST(SmtpReply, SingleLineWithEnhancedCode) {
  EXPECT_EQ(format(make_reply(250, "2.1.0", "Sender ok")), "250 2.1.0 Sender ok\r\n");
}

TEST(SmtpReply, MultilineRepeatsEnhancedCodeOnEveryLine) {
  reply r{550, "5.1.1", {"No such user", "Try again"}};
  EXPECT_EQ(format(r), "550-5.1.1 No such user\r\n550 5.1.1 Try again\r\n");
}

TEST(SmtpReply, EnhancedCodeCanBeLeftOut) {
  reply r{550, "5.1.1", {"a", "b"}};
  EXPECT_EQ(format(r, false), "550-a\r\n550 b\r\n");
}

TEST(SmtpReply, NoTextAndNoEnhancedCode) {
  EXPECT_EQ(format(reply{250, {}, {}}), "250\r\n");
  EXPECT_EQ(format(reply{250, "2.0.0", {}}), "250 2.0.0\r\n");
  // A SASL challenge keeps its space even when empty (RFC 4954 4).
  EXPECT_EQ(format(reply{334, {}, {""}}), "334 \r\n");
  EXPECT_EQ(format(reply{354, {}, {""}}), "354\r\n");
}

TEST(SmtpReply, ControlCharactersCannotInjectLines) {
  reply r = make_reply(250, "2.0.0", "hello\r\n250 fake");
  r.lines[0].push_back('\0');
  r.lines[0].push_back('\t');
  std::string out = format(r);
  EXPECT_EQ(out, "250 2.0.0 hello??250 fake?\t\r\n");
  EXPECT_EQ(out.find('\n'), out.size() - 1);
}

TEST(SmtpReply, Classification) {
  EXPECT_TRUE(replies::ok().is_positive());
  EXPECT_TRUE(replies::start_mail_input().is_positive());
  EXPECT_TRUE(replies::too_many_recipients().is_transient());
  EXPECT_TRUE(replies::bad_sequence("x").is_permanent());
  EXPECT_TRUE(replies::bad_sequence("x").is_error());
  EXPECT_FALSE(replies::ok().is_error());
}

struct named_case {
  reply r;
  std::string wire;
};

TEST(SmtpReply, NamedReplies) {
  named_case const cases[] = {
      {replies::greeting("mx.example.org"), "220 mx.example.org ESMTP Posta\r\n"},
      {replies::closing("mx.example.org"), "221 2.0.0 mx.example.org closing connection\r\n"},
      {replies::helo_ok("mx.example.org"), "250 mx.example.org\r\n"},
      {replies::ok(), "250 2.0.0 Ok\r\n"},
      {replies::sender_ok(), "250 2.1.0 Sender ok\r\n"},
      {replies::recipient_ok(), "250 2.1.5 Recipient ok\r\n"},
      {replies::message_queued("ABC"), "250 2.0.0 Ok: queued as ABC\r\n"},
      {replies::chunk_received(42), "250 2.0.0 42 octets received\r\n"},
      {replies::start_mail_input(), "354 End data with <CR><LF>.<CR><LF>\r\n"},
      {replies::ready_to_start_tls(), "220 2.0.0 Ready to start TLS\r\n"},
      {replies::auth_challenge("PDEyMz4="), "334 PDEyMz4=\r\n"},
      {replies::auth_succeeded(), "235 2.7.0 Authentication successful\r\n"},
      {replies::auth_failed(), "535 5.7.8 Authentication credentials invalid\r\n"},
      {replies::auth_needs_encryption(),
       "538 5.7.11 Encryption required for requested authentication mechanism\r\n"},
      {replies::too_many_recipients(), "452 4.5.3 Too many recipients\r\n"},
      {replies::unknown_command(), "500 5.5.1 Command unrecognized\r\n"},
      {replies::line_too_long(), "500 5.5.2 Line too long\r\n"},
      {replies::bad_sequence("Need MAIL command"), "503 5.5.1 Need MAIL command\r\n"},
      {replies::bad_parameter("x"), "555 5.5.4 x\r\n"},
      {replies::message_too_big(), "552 5.3.4 Message size exceeds fixed maximum message size\r\n"},
      {replies::non_ascii_address(), "553 5.6.7 Non-ASCII addresses require SMTPUTF8\r\n"},
  };
  for (auto const& c : cases) EXPECT_EQ(format(c.r), c.wire);
}

TEST(SmtpReply, EhloFullCapabilities) {
  capabilities caps;
  caps.size = 1000;
  caps.starttls = true;
  caps.auth_mechanisms = {"PLAIN", "LOGIN"};
  EXPECT_EQ(format(ehlo_reply("mx.example.org", caps)),
            "250-mx.example.org\r\n"
            "250-PIPELINING\r\n"
            "250-SIZE 1000\r\n"
            "250-8BITMIME\r\n"
            "250-SMTPUTF8\r\n"
            "250-ENHANCEDSTATUSCODES\r\n"
            "250-STARTTLS\r\n"
            "250-AUTH PLAIN LOGIN\r\n"
            "250-CHUNKING\r\n"
            "250-DSN\r\n"
            "250 HELP\r\n");
}

TEST(SmtpReply, EhloMinimalNeverBinaryMime) {
  capabilities caps;
  caps.pipelining = caps.eight_bit_mime = caps.smtputf8 = caps.enhanced_status_codes = false;
  caps.chunking = caps.dsn = caps.help = false;
  EXPECT_EQ(format(ehlo_reply("mx", caps)), "250 mx\r\n");
  caps = capabilities{};
  std::string all = format(ehlo_reply("mx", caps));
  EXPECT_EQ(all.find("BINARYMIME"), std::string::npos);
  EXPECT_EQ(all.find("STARTTLS"), std::string::npos);
  EXPECT_EQ(all.find("AUTH"), std::string::npos);
  EXPECT_EQ(all.find("SIZE"), std::string::npos);
}

TEST(SmtpReply, ReplyOrCarriesTheReply) {
  reply_or<int> bad = replies::unknown_command();
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, 500);
  reply_or<int> good(boost::system::in_place_value, 7);
  ASSERT_TRUE(good);
  EXPECT_EQ(*good, 7);
}

}  // namespace
}  // namespace posta::mail::smtp::proto
