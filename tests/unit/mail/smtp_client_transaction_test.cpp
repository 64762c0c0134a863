// The client's transaction machine: which commands go out together
// (RFC 2920 3.1), when the body goes (RFC 5321 4.1.1.4, RFC 3030), and which
// reply decides each recipient.
#include "mail/smtp/client/proto/transaction.hpp"

#include "mail/smtp/client/proto/ehlo.hpp"
#include "mail/smtp/client/proto/reply_parser.hpp"
#include "mail/smtp/proto/address.hpp"

#include <gtest/gtest.h>

namespace posta::mail::smtp::client::proto {
namespace {

namespace sp = smtp::proto;
using step = transaction::step;

sp::reply rep(int code, std::string_view enhanced = "", std::string_view text = "x") {
  return sp::make_reply(code, enhanced, text);
}

capabilities peer(bool pipelining, bool chunking) {
  capabilities c = parse_ehlo(sp::reply{250, {}, {"mx"}});
  c.pipelining = pipelining;
  c.chunking = chunking;
  return c;
}

transaction_request request(std::vector<std::string> rcpts, bool chunking = false) {
  transaction_request r;
  r.sender = *sp::parse_path("<s@example.test>", {sp::path_role::reverse, false});
  for (auto const& t : rcpts) r.recipients.push_back({*sp::parse_path(t, {}), {}});
  r.use_chunking = chunking;
  return r;
}

// Drives the machine with scripted replies; returns everything it wrote,
// with the body written as "<body>".
std::string drive(transaction& t, std::vector<sp::reply> replies) {
  std::string wrote;
  std::size_t next_reply = 0;
  for (int guard = 0; guard < 100; ++guard) {
    switch (t.next()) {
      case step::write: wrote += t.take_output(); break;
      case step::read_reply:
        if (next_reply == replies.size()) return wrote + "<stalled>";
        t.on_reply(replies[next_reply++]);
        break;
      case step::send_body:
        if (t.uses_bdat()) wrote += t.bdat_header(6, true) + "<body>";
        else wrote += "<body>";
        t.on_body_sent();
        break;
      case step::done:
        EXPECT_EQ(next_reply, replies.size()) << "replies left over";
        return wrote;
    }
  }
  return wrote + "<loop>";
}

TEST(SmtpClientTransaction, PipelinedGroupEndsWithData) {
  transaction t(request({"<a@x.test>", "<b@x.test>"}), peer(true, false));
  ASSERT_EQ(t.next(), step::write);
  EXPECT_EQ(t.take_output(), "MAIL FROM:<s@example.test>\r\nRCPT TO:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nDATA\r\n");
  auto wrote = drive(t, {rep(250), rep(250), rep(250), rep(354), rep(250, "2.0.0", "queued")});
  EXPECT_EQ(wrote, "<body>");
  EXPECT_TRUE(t.is_delivered(0));
  EXPECT_TRUE(t.is_delivered(1));
  EXPECT_EQ(t.outcome(1).lines.front(), "queued");
  EXPECT_FALSE(t.needs_rset());
  EXPECT_FALSE(t.is_closed());
}

TEST(SmtpClientTransaction, EachRecipientGetsItsOwnReply) {
  transaction t(request({"<a@x.test>", "<b@x.test>", "<c@x.test>"}), peer(true, false));
  drive(t, {rep(250), rep(550, "5.1.1", "no such user"), rep(451, "4.7.1", "greylisted"), rep(250), rep(354),
            rep(250, "2.0.0", "ok")});
  EXPECT_EQ(t.outcome(0).code, 550);
  EXPECT_EQ(t.outcome(0).lines.front(), "no such user");
  EXPECT_EQ(t.outcome(1).code, 451);
  EXPECT_EQ(t.outcome(2).code, 250);
  EXPECT_FALSE(t.is_delivered(0));
  EXPECT_FALSE(t.is_delivered(1));
  EXPECT_TRUE(t.is_delivered(2));
}

TEST(SmtpClientTransaction, RefusedMailDecidesEveryone) {
  transaction t(request({"<a@x.test>", "<b@x.test>"}), peer(true, false));
  EXPECT_EQ(drive(t, {rep(553, "5.7.1", "sender refused"), rep(503), rep(503), rep(503)}),
            "MAIL FROM:<s@example.test>\r\nRCPT TO:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nDATA\r\n");
  EXPECT_EQ(t.outcome(0).code, 553);
  EXPECT_EQ(t.outcome(1).code, 553);
  EXPECT_FALSE(t.needs_rset());
}

TEST(SmtpClientTransaction, NoRecipientAcceptedAndDataRefused) {
  transaction t(request({"<a@x.test>"}), peer(true, false));
  drive(t, {rep(250), rep(550, "5.1.1"), rep(554, "5.5.1", "no valid recipients")});
  EXPECT_EQ(t.outcome(0).code, 550);
  EXPECT_TRUE(t.needs_rset());
}

TEST(SmtpClientTransaction, DataAcceptedAlthoughNobodyWasEndsEmpty) {
  transaction t(request({"<a@x.test>"}), peer(true, false));
  auto wrote = drive(t, {rep(250), rep(550, "5.1.1"), rep(354), rep(554)});
  EXPECT_TRUE(wrote.ends_with("DATA\r\n.\r\n")) << wrote;
  EXPECT_EQ(wrote.find("<body>"), std::string::npos);
  EXPECT_EQ(t.outcome(0).code, 550);
}

TEST(SmtpClientTransaction, WithoutPipeliningEveryCommandWaits) {
  transaction t(request({"<a@x.test>", "<b@x.test>"}), peer(false, false));
  EXPECT_EQ(t.take_output(), "MAIL FROM:<s@example.test>\r\n");
  EXPECT_EQ(t.next(), step::read_reply);
  t.on_reply(rep(250));
  EXPECT_EQ(t.take_output(), "RCPT TO:<a@x.test>\r\n");
  t.on_reply(rep(250));
  EXPECT_EQ(t.take_output(), "RCPT TO:<b@x.test>\r\n");
  t.on_reply(rep(450, "4.2.0", "mailbox busy"));
  EXPECT_EQ(t.take_output(), "DATA\r\n");
  t.on_reply(rep(354));
  EXPECT_EQ(t.next(), step::send_body);
  t.on_body_sent();
  t.on_reply(rep(250));
  EXPECT_EQ(t.next(), step::done);
  EXPECT_TRUE(t.is_delivered(0));
  EXPECT_EQ(t.outcome(1).code, 450);
}

TEST(SmtpClientTransaction, WithoutPipeliningNobodyAcceptedSendsNoData) {
  transaction t(request({"<a@x.test>"}), peer(false, false));
  EXPECT_EQ(drive(t, {rep(250), rep(550)}), "MAIL FROM:<s@example.test>\r\nRCPT TO:<a@x.test>\r\n");
  EXPECT_TRUE(t.needs_rset());  // MAIL is still open on the server
}

TEST(SmtpClientTransaction, ChunkingWaitsForTheRecipientsThenBdat) {
  transaction t(request({"<a@x.test>", "<b@x.test>"}, true), peer(true, true));
  EXPECT_EQ(t.take_output(), "MAIL FROM:<s@example.test>\r\nRCPT TO:<a@x.test>\r\nRCPT TO:<b@x.test>\r\n");
  auto wrote = drive(t, {rep(250), rep(250), rep(550), rep(250, "2.0.0", "done")});
  EXPECT_EQ(wrote, "BDAT 6 LAST\r\n<body>");
  EXPECT_TRUE(t.is_delivered(0));
  EXPECT_EQ(t.outcome(1).code, 550);
}

TEST(SmtpClientTransaction, ChunkingNotUsedWhenNotOfferedOrNotWanted) {
  transaction a(request({"<a@x.test>"}, true), peer(true, false));
  EXPECT_FALSE(a.uses_bdat());
  transaction b(request({"<a@x.test>"}, false), peer(true, true));
  EXPECT_FALSE(b.uses_bdat());
}

TEST(SmtpClientTransaction, RefusedChunkStopsTheBody) {
  transaction t(request({"<a@x.test>"}, true), peer(false, true));
  t.take_output();
  t.on_reply(rep(250));
  t.take_output();
  t.on_reply(rep(250));
  ASSERT_EQ(t.next(), step::send_body);
  EXPECT_EQ(t.bdat_header(10, false), "BDAT 10\r\n");
  EXPECT_EQ(t.next(), step::read_reply);  // no PIPELINING: the chunk's reply first
  t.on_reply(rep(552, "5.3.4", "too big"));
  EXPECT_FALSE(t.can_send_chunk());
  t.on_body_sent();
  EXPECT_EQ(t.next(), step::done);
  EXPECT_EQ(t.outcome(0).code, 552);
  EXPECT_TRUE(t.needs_rset());
}

TEST(SmtpClientTransaction, ResetFirstGoesInTheSameGroup) {
  auto r = request({"<a@x.test>"});
  r.reset_first = true;
  transaction t(r, peer(true, false));
  EXPECT_TRUE(t.take_output().starts_with("RSET\r\nMAIL FROM:"));
  drive(t, {rep(250), rep(250), rep(250), rep(354), rep(250)});
  EXPECT_TRUE(t.is_delivered(0));
}

TEST(SmtpClientTransaction, ResetFirstWaitsForItsReplyWithoutPipelining) {
  auto r = request({"<a@x.test>"});
  r.reset_first = true;
  transaction t(r, peer(false, false));
  EXPECT_EQ(t.take_output(), "RSET\r\n");
  t.on_reply(rep(250));
  EXPECT_EQ(t.take_output(), "MAIL FROM:<s@example.test>\r\n");
  drive(t, {rep(250), rep(250), rep(354), rep(250)});
  EXPECT_TRUE(t.is_delivered(0));
}

TEST(SmtpClientTransaction, ManyRecipientsGoInBoundedGroups) {
  std::vector<std::string> rcpts;
  for (int i = 0; i < 250; ++i) rcpts.push_back("<r" + std::to_string(i) + "@x.test>");
  transaction t(request(rcpts), peer(true, false));
  auto count = [](std::string const& s, std::string_view what) {
    std::size_t n = 0;
    for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
    return n;
  };
  auto first = t.take_output();
  EXPECT_EQ(count(first, "RCPT TO:"), max_pipelined_recipients);
  EXPECT_EQ(count(first, "DATA"), 0u);
  t.on_reply(rep(250));
  for (std::size_t i = 0; i < max_pipelined_recipients; ++i) {
    EXPECT_EQ(t.next(), step::read_reply);
    t.on_reply(rep(i == 7 ? 550 : 250));
  }
  auto second = t.take_output();
  EXPECT_EQ(count(second, "RCPT TO:"), max_pipelined_recipients);
  EXPECT_TRUE(second.starts_with("RCPT TO:<r100@x.test>"));
  for (std::size_t i = 0; i < max_pipelined_recipients; ++i) t.on_reply(rep(250));
  auto third = t.take_output();
  EXPECT_EQ(count(third, "RCPT TO:"), 50u);
  EXPECT_TRUE(third.ends_with("DATA\r\n"));
  std::vector<sp::reply> rest(50, rep(250));
  rest.push_back(rep(354));
  rest.push_back(rep(250));
  EXPECT_EQ(drive(t, rest), "<body>");
  EXPECT_EQ(t.outcome(7).code, 550);
  EXPECT_TRUE(t.is_delivered(249));
}

TEST(SmtpClientTransaction, ServerClosingEndsEverything) {
  transaction t(request({"<a@x.test>", "<b@x.test>"}), peer(true, false));
  drive(t, {rep(250), rep(250), rep(421, "4.3.2", "shutting down")});
  EXPECT_TRUE(t.is_closed());
  EXPECT_EQ(t.outcome(0).code, 421);
  EXPECT_EQ(t.outcome(1).code, 421);
}

TEST(SmtpClientTransaction, AbandonKeepsDecidedOutcomes) {
  transaction t(request({"<a@x.test>", "<b@x.test>"}), peer(true, false));
  t.take_output();
  t.on_reply(rep(250));
  t.on_reply(rep(550, "5.1.1"));
  t.abandon(rep(451, "4.4.2", "timeout"));
  EXPECT_EQ(t.next(), step::done);
  EXPECT_EQ(t.outcome(0).code, 550);
  EXPECT_EQ(t.outcome(1).code, 451);
  EXPECT_TRUE(t.is_closed());
}

}  // namespace
}  // namespace posta::mail::smtp::client::proto
