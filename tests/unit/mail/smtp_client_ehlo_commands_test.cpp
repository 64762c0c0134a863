// EHLO capability parsing (RFC 5321 4.1.1.1 and the extension RFCs), MAIL and
// RCPT formatting with only the parameters the peer offers (RFC 1870, 6152,
// 6531, 3461), BDAT framing (RFC 3030) and DATA transparency (RFC 5321 4.5.2).
#include "mail/smtp/client/proto/commands.hpp"
#include "mail/smtp/client/proto/data_encoder.hpp"
#include "mail/smtp/client/proto/ehlo.hpp"
#include "mail/smtp/client/proto/reply_parser.hpp"
#include "mail/smtp/proto/address.hpp"
#include "mail/smtp/proto/data_decoder.hpp"

#include <gtest/gtest.h>

namespace posta::mail::smtp::client::proto {
namespace {

namespace sp = smtp::proto;

sp::reply parse_one(std::string_view wire) {
  reply_parser p;
  p.feed(wire);
  auto r = p.next();
  EXPECT_TRUE(r && *r) << wire;
  return r && *r ? **r : sp::reply{};
}

capabilities plain_peer() { return parse_ehlo(parse_one("250 old.example.test\r\n")); }

capabilities full_peer() {
  return parse_ehlo(parse_one("250-mx.example.test Hello\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n"
                              "250-SMTPUTF8\r\n250-CHUNKING\r\n250-DSN\r\n250-STARTTLS\r\n"
                              "250-AUTH PLAIN login\r\n250-AUTH=LOGIN CRAM-MD5\r\n250-ETRN\r\n"
                              "250 ENHANCEDSTATUSCODES\r\n"));
}

TEST(SmtpClientEhlo, EveryKeyword) {
  auto c = full_peer();
  EXPECT_TRUE(c.pipelining);
  EXPECT_EQ(c.size, 52428800u);
  EXPECT_TRUE(c.eight_bit_mime);
  EXPECT_TRUE(c.smtputf8);
  EXPECT_TRUE(c.chunking);
  EXPECT_TRUE(c.dsn);
  EXPECT_TRUE(c.starttls);
  EXPECT_TRUE(c.enhanced_status_codes);
  EXPECT_EQ(c.auth_mechanisms, (std::vector<std::string>{"PLAIN", "LOGIN", "CRAM-MD5"}));
}

TEST(SmtpClientEhlo, NothingOfferedMeansNothing) {
  auto c = plain_peer();
  EXPECT_FALSE(c.pipelining || c.eight_bit_mime || c.smtputf8 || c.chunking || c.dsn || c.starttls ||
               c.enhanced_status_codes || c.help);
  EXPECT_FALSE(c.size);
  EXPECT_TRUE(c.auth_mechanisms.empty());
}

TEST(SmtpClientEhlo, SizeWithoutLimitAndCaseOfKeywords) {
  EXPECT_EQ(parse_ehlo(parse_one("250-x\r\n250 size\r\n")).size, 0u);
  EXPECT_EQ(parse_ehlo(parse_one("250-x\r\n250 SIZE 0\r\n")).size, 0u);
  EXPECT_EQ(parse_ehlo(parse_one("250-x\r\n250 SIZE junk\r\n")).size, 0u);
  EXPECT_TRUE(parse_ehlo(parse_one("250-x\r\n250 pipelining\r\n")).pipelining);
  EXPECT_FALSE(parse_ehlo(parse_one("250 PIPELINING\r\n")).pipelining);  // the first line is the name
}

TEST(SmtpClientEhlo, MechanismListIsBounded) {
  std::string wire = "250-x\r\n250 AUTH";
  for (int i = 0; i < 100; ++i) wire += " M" + std::to_string(i);
  EXPECT_EQ(parse_ehlo(parse_one(wire + "\r\n")).auth_mechanisms.size(), max_auth_mechanisms);
}

TEST(SmtpClientEhlo, RoundTripOfPostasOwnOffer) {
  sp::capabilities caps;
  caps.size = 1234;
  caps.starttls = true;
  caps.auth_mechanisms = {"PLAIN", "SCRAM-SHA-256"};
  auto back = parse_ehlo(parse_one(sp::format(sp::ehlo_reply("mx.example.test", caps))));
  EXPECT_EQ(back, caps);
}

sp::path path_of(std::string_view text) { return *sp::parse_path(text, {sp::path_role::reverse, true}); }

TEST(SmtpClientCommands, MailParametersOnlyWhenOffered) {
  sp::mail_params p;
  p.size = 4096;
  p.body = sp::body_type::eight_bit_mime;
  p.smtputf8 = true;
  p.ret = sp::dsn_return::headers;
  p.envid = "id+1 x";
  auto from = path_of("<a@example.test>");
  EXPECT_EQ(mail_command(from, p, full_peer()),
            "MAIL FROM:<a@example.test> SIZE=4096 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=id+2B1+20x\r\n");
  EXPECT_EQ(mail_command(from, p, plain_peer()), "MAIL FROM:<a@example.test>\r\n");
  EXPECT_EQ(mail_command(path_of("<>"), {}, full_peer()), "MAIL FROM:<>\r\n");
  auto only_size = plain_peer();
  only_size.size = 0;
  EXPECT_EQ(mail_command(from, p, only_size), "MAIL FROM:<a@example.test> SIZE=4096\r\n");
  p.body = sp::body_type::binary_mime;  // never sent
  p.smtputf8 = false;
  p.ret.reset();
  p.envid.reset();
  EXPECT_EQ(mail_command(from, p, full_peer()), "MAIL FROM:<a@example.test> SIZE=4096\r\n");
}

TEST(SmtpClientCommands, RcptDsnParameters) {
  sp::rcpt_params p;
  p.notify = sp::dsn_notify{false, true, true, false};
  p.orcpt = sp::original_recipient{"rfc822", "b+x@example.test"};
  auto to = path_of("<b@example.test>");
  EXPECT_EQ(rcpt_command(to, p, full_peer()),
            "RCPT TO:<b@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b+2Bx@example.test\r\n");
  EXPECT_EQ(rcpt_command(to, p, plain_peer()), "RCPT TO:<b@example.test>\r\n");
  p.notify = sp::dsn_notify{true, false, false, false};
  p.orcpt = sp::original_recipient{"utf-8", "bü@example.test"};  // not ASCII: left out
  EXPECT_EQ(rcpt_command(to, p, full_peer()), "RCPT TO:<b@example.test> NOTIFY=NEVER\r\n");
  p.orcpt = sp::original_recipient{"rfc 822", "b@example.test"};  // not an atom: left out
  EXPECT_EQ(rcpt_command(to, p, full_peer()), "RCPT TO:<b@example.test> NOTIFY=NEVER\r\n");
}

TEST(SmtpClientCommands, WhatTheServersParserReadsBack) {
  sp::mail_params p;
  p.size = 77;
  p.body = sp::body_type::eight_bit_mime;
  p.smtputf8 = true;
  p.ret = sp::dsn_return::full;
  p.envid = "env=id";
  auto line = mail_command(path_of("<ü@example.test>"), p, full_peer());
  auto parsed = sp::parse_command(std::string_view(line).substr(0, line.size() - 2));
  ASSERT_TRUE(parsed);
  auto const& mail = std::get<sp::mail_cmd>(*parsed);
  EXPECT_EQ(mail.params, p);
  EXPECT_EQ(mail.reverse_path, path_of("<ü@example.test>"));
}

TEST(SmtpClientCommands, SmallCommands) {
  EXPECT_EQ(ehlo_command("client.example.test"), "EHLO client.example.test\r\n");
  EXPECT_EQ(helo_command("[192.0.2.1]"), "HELO [192.0.2.1]\r\n");
  EXPECT_EQ(bdat_command(1000, false), "BDAT 1000\r\n");
  EXPECT_EQ(bdat_command(0, true), "BDAT 0 LAST\r\n");
  EXPECT_EQ(auth_plain_command("AGEAYg=="), "AUTH PLAIN AGEAYg==\r\n");
  EXPECT_EQ(auth_plain_command(""), "AUTH PLAIN =\r\n");
}

TEST(SmtpClientDataEncoder, Table) {
  struct row {
    std::string body, wire;
  };
  std::vector<row> rows = {
      {"", ".\r\n"},
      {"a\r\n", "a\r\n.\r\n"},
      {"a", "a\r\n.\r\n"},
      {".\r\n", "..\r\n.\r\n"},
      {"..x\r\n.\r\n", "...x\r\n..\r\n.\r\n"},
      {"x.\r\n.y", "x.\r\n..y\r\n.\r\n"},
      {"bare\nlf\n.dot\n", "bare\r\nlf\r\n..dot\r\n.\r\n"},
      {"cr\r.dot", "cr\r\n..dot\r\n.\r\n"},
      {"\r\n.\r\n", "\r\n..\r\n.\r\n"},
  };
  for (auto const& r : rows) EXPECT_EQ(encode_data(r.body), r.wire) << r.body;
}

std::string encode_split(std::string_view body, std::vector<std::size_t> cuts) {
  std::string out;
  data_encoder e([&](std::string_view p) { out.append(p); });
  std::size_t from = 0;
  for (auto c : cuts) {
    e.feed(body.substr(from, c - from));
    from = c;
  }
  e.feed(body.substr(from));
  e.finish();
  EXPECT_EQ(e.octets(), out.size());
  return out;
}

TEST(SmtpClientDataEncoder, EverySplitPointAndTheServerReadsItBack) {
  std::string body = ".start\r\nline\r\n..two\r\n.\r\nbare\n.lf\rcr.\r\n\r\n.end";
  auto expected = encode_data(body);
  for (std::size_t i = 0; i <= body.size(); ++i)
    for (std::size_t j = i; j <= body.size(); ++j) ASSERT_EQ(encode_split(body, {i, j}), expected) << i << "," << j;
  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < body.size(); ++i) every.push_back(i);
  EXPECT_EQ(encode_split(body, every), expected);
  // The server's DATA decoder gives back the body with canonical line ends.
  std::string decoded;
  sp::data_decoder d(UINT64_MAX, [&](std::string_view p) { decoded.append(p); });
  auto progress = d.feed(expected);
  EXPECT_TRUE(progress.done);
  EXPECT_EQ(progress.consumed, expected.size());
  EXPECT_FALSE(d.has_bare_line_end());
  EXPECT_EQ(decoded, sp::normalise_line_endings(body) + "\r\n");
}

}  // namespace
}  // namespace posta::mail::smtp::client::proto
