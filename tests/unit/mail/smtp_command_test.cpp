// Tests for SMTP command line parsing: every verb, ESMTP parameters of MAIL
// and RCPT (RFC 1870, 6152, 3030, 6531, 3461, 4954), and the refusals.
#include "mail/smtp/proto/command.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace posta::mail::smtp::proto {
namespace {

command parse_ok(std::string_view line) {
  auto r = parse_command(line);
  EXPECT_TRUE(r) << line << " -> " << (r ? "" : format(r.error()));
  return r ? *r : command{};
}

template <class T>
T parse_as(std::string_view line) {
  command c = parse_ok(line);
  EXPECT_TRUE(std::holds_alternative<T>(c)) << line;
  return std::holds_alternative<T>(c) ? std::get<T>(c) : T{};
}

path fwd_path(std::string_view s) { return *parse_path(s, {path_role::forward, true}); }
path rev_path(std::string_view s) { return *parse_path(s, {path_role::reverse, true}); }

TEST(SmtpCommand, SimpleVerbsAnyCase) {
  struct c {
    std::string_view line;
    command expected;
  } const cases[] = {
      {"DATA", data_cmd{}},
      {"data", data_cmd{}},
      {"RSET", rset_cmd{}},
      {"rSeT", rset_cmd{}},
      {"QUIT", quit_cmd{}},
      {"quit ", quit_cmd{}},  // COMPAT: trailing blank
      {"STARTTLS", starttls_cmd{}},
      {"NOOP", noop_cmd{}},
      {"NOOP hello there", noop_cmd{"hello there"}},
      {"HELP", help_cmd{}},
      {"help MAIL", help_cmd{"MAIL"}},
      {"VRFY postmaster", vrfy_cmd{"postmaster"}},
      {"EXPN staff", expn_cmd{"staff"}},
      {"BDAT 0 LAST", bdat_cmd{0, true}},
      {"BDAT 1000", bdat_cmd{1000, false}},
      {"bdat 18446744073709551615 last", bdat_cmd{std::numeric_limits<std::uint64_t>::max(), true}},
      {"AUTH PLAIN", auth_cmd{"PLAIN", std::nullopt}},
      {"auth plain AGFsaWNlAHNlY3JldA==", auth_cmd{"PLAIN", std::string("AGFsaWNlAHNlY3JldA==")}},
      {"AUTH PLAIN =", auth_cmd{"PLAIN", std::string()}},
      {"AUTH SCRAM-SHA-256", auth_cmd{"SCRAM-SHA-256", std::nullopt}},
      {"AUTH X_CUSTOM-1", auth_cmd{"X_CUSTOM-1", std::nullopt}},
  };
  for (auto const& t : cases) EXPECT_EQ(parse_ok(t.line), t.expected) << t.line;
}

TEST(SmtpCommand, Hello) {
  EXPECT_EQ(parse_as<helo_cmd>("EHLO Client.Example.ORG"),
            (helo_cmd{true, "client.example.org", true}));
  EXPECT_EQ(parse_as<helo_cmd>("helo client.example.org"),
            (helo_cmd{false, "client.example.org", true}));
  EXPECT_EQ(parse_as<helo_cmd>("EHLO [192.0.2.7]"), (helo_cmd{true, "[192.0.2.7]", true}));
  EXPECT_EQ(parse_as<helo_cmd>("EHLO [IPv6:2001:db8::7]"),
            (helo_cmd{true, "[IPv6:2001:db8::7]", true}));
  // COMPAT(client): not a domain, accepted as sent and flagged.
  EXPECT_EQ(parse_as<helo_cmd>("EHLO My_PC"), (helo_cmd{true, "My_PC", false}));
  EXPECT_EQ(parse_as<helo_cmd>("HELO my host"), (helo_cmd{false, "my host", false}));
  EXPECT_EQ(parse_as<helo_cmd>("HELO [300.1.1.1]"), (helo_cmd{false, "[300.1.1.1]", false}));
}

TEST(SmtpCommand, MailFrom) {
  auto m = parse_as<mail_cmd>("MAIL FROM:<Alice@Example.org>");
  EXPECT_EQ(to_string(m.reverse_path), "<Alice@example.org>");
  EXPECT_TRUE(m.params.is_empty());
  EXPECT_TRUE(parse_as<mail_cmd>("mail from:<>").reverse_path.is_null());
  // COMPAT(client): a space after the colon.
  EXPECT_EQ(to_string(parse_as<mail_cmd>("MAIL FROM: <a@b>").reverse_path), "<a@b>");
  EXPECT_EQ(to_string(parse_as<mail_cmd>("MAIL FROM:<@x.example:a@b>").reverse_path), "<a@b>");
}

TEST(SmtpCommand, MailParameters) {
  auto m = parse_as<mail_cmd>(
      "MAIL FROM:<a@b> SIZE=12345 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ+2B1 AUTH=a+2Bb@c");
  mail_params expected;
  expected.size = 12345;
  expected.body = body_type::eight_bit_mime;
  expected.smtputf8 = true;
  expected.ret = dsn_return::headers;
  expected.envid = "QQ+1";
  expected.auth = "a+b@c";
  EXPECT_EQ(m.params, expected);

  EXPECT_EQ(parse_as<mail_cmd>("MAIL FROM:<a@b> body=7bit").params.body, body_type::seven_bit);
  EXPECT_EQ(parse_as<mail_cmd>("MAIL FROM:<a@b> BODY=BINARYMIME").params.body,
            body_type::binary_mime);
  EXPECT_EQ(parse_as<mail_cmd>("MAIL FROM:<a@b> ret=full").params.ret, dsn_return::full);
  EXPECT_EQ(parse_as<mail_cmd>("MAIL FROM:<a@b> AUTH=<>").params.auth, "<>");
  EXPECT_EQ(parse_as<mail_cmd>("MAIL FROM:<a@b>  SIZE=1   SMTPUTF8").params.size, 1u);
  // SECURITY: absurd sizes saturate, so they compare as too big.
  EXPECT_EQ(parse_as<mail_cmd>("MAIL FROM:<a@b> SIZE=99999999999999999999").params.size,
            std::numeric_limits<std::uint64_t>::max());
}

TEST(SmtpCommand, Utf8ReversePathNeedsSmtputf8OnTheSameCommand) {
  auto m = parse_as<mail_cmd>("MAIL FROM:<j\xc3\xb6rg@example.org> SMTPUTF8");
  EXPECT_EQ(m.reverse_path.mailbox->local_part, "j\xc3\xb6rg");
  auto r = parse_command("MAIL FROM:<j\xc3\xb6rg@example.org>");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, 553);
  EXPECT_EQ(r.error().enhanced, "5.6.7");
}

TEST(SmtpCommand, RcptTo) {
  auto r = parse_as<rcpt_cmd>("RCPT TO:<Bob@Example.org>");
  EXPECT_EQ(r.forward_path, fwd_path("<Bob@example.org>"));
  EXPECT_TRUE(r.params.is_empty());
  EXPECT_TRUE(parse_as<rcpt_cmd>("rcpt to:<postmaster>").forward_path.mailbox->is_postmaster());
  // Non-ASCII forward-paths are left to the state machine.
  EXPECT_TRUE(parse_as<rcpt_cmd>("RCPT TO:<\xc3\xb6@x>").forward_path.mailbox->has_non_ascii());
  EXPECT_TRUE(parse_as<rcpt_cmd>("RCPT TO:<user%other@local>").forward_path.mailbox->has_relay_chars());
}

TEST(SmtpCommand, RcptParameters) {
  auto r = parse_as<rcpt_cmd>("RCPT TO:<a@b> NOTIFY=SUCCESS,delay ORCPT=rfc822;Bob+40example.org");
  ASSERT_TRUE(r.params.notify);
  EXPECT_EQ(*r.params.notify, (dsn_notify{false, true, false, true}));
  ASSERT_TRUE(r.params.orcpt);
  EXPECT_EQ(*r.params.orcpt, (original_recipient{"rfc822", "Bob@example.org"}));
  EXPECT_EQ(*parse_as<rcpt_cmd>("RCPT TO:<a@b> NOTIFY=NEVER").params.notify,
            (dsn_notify{true, false, false, false}));
  EXPECT_EQ(*parse_as<rcpt_cmd>("RCPT TO:<a@b> NOTIFY=FAILURE,SUCCESS,DELAY").params.notify,
            (dsn_notify{false, true, true, true}));
}

TEST(SmtpCommand, DsnValuesMayHoldAnyPrintableAscii) {
  // Space and "~" are the ends of the printable range RFC 3461 allows.
  EXPECT_EQ(*parse_as<mail_cmd>("MAIL FROM:<a@b> ENVID=a+20b~").params.envid, "a b~");
  EXPECT_EQ(parse_as<rcpt_cmd>("RCPT TO:<a@b> ORCPT=rfc822;+22a+20b+22@c").params.orcpt->address, "\"a b\"@c");
}

struct refusal {
  std::string_view line;
  int code;
  std::string_view enhanced;
};

TEST(SmtpCommand, Refusals) {
  std::string const long_envid = "MAIL FROM:<a@b> ENVID=" + std::string(101, 'x');
  std::string const long_orcpt = "RCPT TO:<a@b> ORCPT=rfc822;" + std::string(500, 'x');
  refusal const cases[] = {
      {"", 500, "5.5.2"},
      {"   ", 500, "5.5.2"},
      {"FOO", 500, "5.5.1"},
      {"DATAX", 500, "5.5.1"},
      {"MAILFROM:<a@b>", 500, "5.5.1"},
      {"GET / HTTP/1.1", 500, "5.5.1"},
      {"EHLO", 501, "5.5.4"},
      {"HELO", 501, "5.5.4"},
      {"EHLO a\x01" "b", 501, "5.5.4"},
      {"DATA now", 501, "5.5.4"},
      {"RSET x", 501, "5.5.4"},
      {"QUIT bye", 501, "5.5.4"},
      {"STARTTLS x", 501, "5.5.4"},
      {"VRFY", 501, "5.5.4"},
      {"EXPN", 501, "5.5.4"},
      {"MAIL", 501, "5.5.4"},
      {"MAIL TO:<a@b>", 501, "5.5.4"},
      {"MAIL FROM:a@b", 501, "5.1.7"},
      {"MAIL FROM:<a@b>x", 501, "5.1.7"},
      {"MAIL FROM:<a@b", 501, "5.1.7"},
      {"RCPT", 501, "5.5.4"},
      {"RCPT FROM:<a@b>", 501, "5.5.4"},
      {"RCPT TO:<>", 501, "5.1.3"},
      {"RCPT TO:a@b", 501, "5.1.3"},
      {"BDAT", 501, "5.5.4"},
      {"BDAT x", 501, "5.5.4"},
      {"BDAT -1", 501, "5.5.4"},
      {"BDAT 10 FIRST", 501, "5.5.4"},
      {"BDAT 10 LAST x", 501, "5.5.4"},
      {"BDAT 18446744073709551616", 501, "5.5.4"},  // no saturation for BDAT
      {"AUTH", 501, "5.5.4"},
      {"AUTH PL@IN", 501, "5.5.4"},
      {"AUTH ABCDEFGHIJKLMNOPQRSTU", 501, "5.5.4"},  // 21 characters
      {"AUTH PLAIN abc def", 501, "5.5.4"},
      {"AUTH PLAIN a*b", 501, "5.5.4"},
      // parameters
      {"MAIL FROM:<a@b> FOO=1", 555, "5.5.4"},
      {"MAIL FROM:<a@b> NOTIFY=NEVER", 555, "5.5.4"},  // a RCPT parameter
      {"RCPT TO:<a@b> SIZE=10", 555, "5.5.4"},          // a MAIL parameter
      {"MAIL FROM:<a@b> SIZE=1 SIZE=2", 555, "5.5.4"},
      {"MAIL FROM:<a@b> SMTPUTF8 smtputf8", 555, "5.5.4"},
      {"MAIL FROM:<a@b> BODY=7BIT BODY=8BITMIME", 555, "5.5.4"},
      {"RCPT TO:<a@b> NOTIFY=NEVER NOTIFY=NEVER", 555, "5.5.4"},
      {"RCPT TO:<a@b> ORCPT=rfc822;a ORCPT=rfc822;b", 555, "5.5.4"},
      {"MAIL FROM:<a@b> -X=1", 501, "5.5.2"},
      {"MAIL FROM:<a@b> =1", 501, "5.5.2"},
      {"MAIL FROM:<a@b> SIZE=", 501, "5.5.4"},
      {"MAIL FROM:<a@b> SIZE", 501, "5.5.4"},
      {"MAIL FROM:<a@b> SIZE=12x", 501, "5.5.4"},
      {"MAIL FROM:<a@b> SIZE=123456789012345678901", 501, "5.5.4"},
      {"MAIL FROM:<a@b> BODY=8BIT", 501, "5.5.4"},
      {"MAIL FROM:<a@b> SMTPUTF8=yes", 501, "5.5.4"},
      {"MAIL FROM:<a@b> RET=ALL", 501, "5.5.4"},
      {"MAIL FROM:<a@b> ENVID=a+zz", 501, "5.5.4"},
      // RFC 3461 4.4: the decoded ENVID is printable US-ASCII
      {"MAIL FROM:<a@b> ENVID=abc+FF", 501, "5.5.4"},
      {"MAIL FROM:<a@b> ENVID=abc+00", 501, "5.5.4"},
      {"MAIL FROM:<a@b> ENVID=a+0Db", 501, "5.5.4"},
      {"MAIL FROM:<a@b> ENVID=a+7F", 501, "5.5.4"},
      {"MAIL FROM:<a@b> ENVID=+C3+A9", 501, "5.5.4"},
      {long_envid, 501, "5.5.4"},
      {"MAIL FROM:<a@b> AUTH=a=b", 501, "5.5.4"},
      {"MAIL FROM:<a@b> AUTH=+4", 501, "5.5.4"},
      {"RCPT TO:<a@b> NOTIFY=NEVER,SUCCESS", 501, "5.5.4"},
      {"RCPT TO:<a@b> NOTIFY=SOMETIMES", 501, "5.5.4"},
      {"RCPT TO:<a@b> NOTIFY=SUCCESS,", 501, "5.5.4"},
      {"RCPT TO:<a@b> ORCPT=a@b", 501, "5.5.4"},
      {"RCPT TO:<a@b> ORCPT=;a@b", 501, "5.5.4"},
      {"RCPT TO:<a@b> ORCPT=rfc822;", 501, "5.5.4"},
      {"RCPT TO:<a@b> ORCPT=rf(c;a@b", 501, "5.5.4"},
      // RFC 3461 4.2: the decoded ORCPT address is printable US-ASCII
      {"RCPT TO:<a@b> ORCPT=rfc822;a+00@b", 501, "5.5.4"},
      {"RCPT TO:<a@b> ORCPT=rfc822;a+FF@b", 501, "5.5.4"},
      {"RCPT TO:<a@b> ORCPT=rfc822;a+0A@b", 501, "5.5.4"},
      {long_orcpt, 501, "5.5.4"},
  };
  for (auto const& t : cases) {
    auto r = parse_command(t.line);
    ASSERT_FALSE(r) << t.line;
    EXPECT_EQ(r.error().code, t.code) << t.line;
    EXPECT_EQ(r.error().enhanced, t.enhanced) << t.line;
  }
}

TEST(SmtpCommand, UnknownParameterNamedInReply) {
  auto r = parse_command("MAIL FROM:<a@b> x-foo=1");
  ASSERT_FALSE(r);
  EXPECT_EQ(format(r.error()), "555 5.5.4 Unsupported parameter X-FOO\r\n");
}

TEST(SmtpCommand, VerbOfAnyLine) {
  EXPECT_EQ(command_verb("bdat nonsense"), verb::bdat);
  EXPECT_EQ(command_verb("EHLO x"), verb::ehlo);
  EXPECT_EQ(command_verb("HELO"), verb::helo);
  EXPECT_EQ(command_verb("mail from:<>"), verb::mail);
  EXPECT_EQ(command_verb("StartTLS"), verb::starttls);
  EXPECT_EQ(command_verb("BDATX 1"), verb::unknown);
  EXPECT_EQ(command_verb(""), verb::unknown);
}

TEST(SmtpCommand, ReversePathHelper) {
  EXPECT_EQ(parse_as<mail_cmd>("MAIL FROM:<a@b>").reverse_path, rev_path("<a@b>"));
}

}  // namespace
}  // namespace posta::mail::smtp::proto
