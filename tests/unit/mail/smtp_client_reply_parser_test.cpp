// The SMTP client's reply parser (RFC 5321 4.2, RFC 3463): table tests, the
// same stream fed whole, byte by byte and split at every point, bounds, and
// a round trip through the server's reply formatting.
#include "mail/smtp/client/proto/reply_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace posta::mail::smtp::client::proto {
namespace {

namespace sp = smtp::proto;
using lines = std::vector<std::string>;

// Every outcome of a stream: replies, then "!error" if the parser failed.
std::vector<std::string> outcomes(std::vector<std::string_view> const& chunks, reply_limits limits = {}) {
  reply_parser p(limits);
  std::vector<std::string> out;
  auto drain = [&] {
    while (auto r = p.next()) {
      if (!*r) {
        out.push_back("!" + std::string(to_string(r->error())));
        return false;
      }
      std::string s = std::to_string((*r)->code) + "[" + (*r)->enhanced + "]";
      for (auto const& l : (*r)->lines) s += "|" + l;
      out.push_back(s);
    }
    return true;
  };
  for (auto c : chunks) {
    p.feed(c);
    if (!drain()) break;
  }
  return out;
}

std::vector<std::string> whole(std::string_view s, reply_limits l = {}) { return outcomes({s}, l); }

TEST(SmtpClientReplyParser, Table) {
  struct row {
    std::string in;
    std::vector<std::string> out;
  };
  std::vector<row> rows = {
      {"220 mx.example.test ESMTP\r\n", {"220[]|mx.example.test ESMTP"}},
      {"250-mx.example.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n", {"250[]|mx.example.test|PIPELINING|8BITMIME"}},
      {"250 2.1.5 Ok\r\n", {"250[2.1.5]|Ok"}},
      {"550-5.1.1 No such\r\n550 5.1.1 user\r\n", {"550[5.1.1]|No such|user"}},
      {"250\r\n", {"250[]|"}},
      {"250 \r\n", {"250[]|"}},
      {"354 End data with <CR><LF>.<CR><LF>\r\n", {"354[]|End data with <CR><LF>.<CR><LF>"}},
      {"250 2.0.0\r\n", {"250[2.0.0]|"}},
      {"451 4.3.0 a\r\n250 ok\r\n", {"451[4.3.0]|a", "250[]|ok"}},
      {"250 5.1.1 class mismatch\r\n", {"250[]|5.1.1 class mismatch"}},  // not a code of this class
      {"250 2.1.50x text\r\n", {"250[]|2.1.50x text"}},
      {"250 2.1000.5 text\r\n", {"250[]|2.1000.5 text"}},
      {"250-2.1.0 first\r\n250 second\r\n", {"250[2.1.0]|first|second"}},
      {"220 bare lf\n250 ok\n", {"220[]|bare lf", "250[]|ok"}},  // COMPAT: a bare LF ends a line
      {"220 partial", {}},
      {"25 short\r\n", {"!malformed reply line"}},
      {"2500 x\r\n", {"!malformed reply line"}},
      {"600 x\r\n", {"!malformed reply line"}},
      {"abc\r\n", {"!malformed reply line"}},
      {"\r\n", {"!malformed reply line"}},
      {"250-a\r\n251 b\r\n", {"!reply lines with different codes"}},
      {"250 ok\r\nXYZ\r\n250 never\r\n", {"250[]|ok", "!malformed reply line"}},
  };
  for (auto const& r : rows) EXPECT_EQ(whole(r.in), r.out) << r.in;
}

std::string const stream =
    "220 mx.example.test ESMTP\r\n"
    "250-mx.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n"
    "250 2.1.0 Ok\r\n550 5.1.1 <x@example.test>: Recipient address rejected\r\n451-4.7.1 try\r\n451 4.7.1 later\n"
    "354 go\r\n250 2.0.0 Ok: queued as 4B7C\r\n221 2.0.0 Bye\r\n";

TEST(SmtpClientReplyParser, ByteByByteEqualsWhole) {
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < stream.size(); ++i) bytes.push_back(std::string_view(stream).substr(i, 1));
  auto expected = whole(stream);
  ASSERT_EQ(expected.size(), 8u);
  EXPECT_EQ(outcomes(bytes), expected);
}

TEST(SmtpClientReplyParser, EverySplitPointEqualsWhole) {
  auto expected = whole(stream);
  std::string_view s = stream;
  for (std::size_t i = 0; i <= s.size(); ++i)
    for (std::size_t j = i; j <= s.size(); j += 7)
      EXPECT_EQ(outcomes({s.substr(0, i), s.substr(i, j - i), s.substr(j)}), expected) << i << "," << j;
}

TEST(SmtpClientReplyParser, LineBoundHoldsWhateverTheSplit) {
  reply_limits limits{16, 4};
  EXPECT_EQ(whole("250 0123456789ab\r\n", limits), (std::vector<std::string>{"250[]|0123456789ab"}));
  EXPECT_EQ(whole("250 0123456789abc\r\n", limits), (std::vector<std::string>{"!reply line too long"}));
  // No line end at all: the parser fails once the partial line is past the bound.
  std::string endless(100, 'x');
  reply_parser p(limits);
  for (char c : endless) p.feed(std::string_view(&c, 1));
  EXPECT_TRUE(p.has_failed());
  EXPECT_EQ(whole("250 0123456789ab\r", limits), (std::vector<std::string>{}));  // the CR is not counted yet
}

TEST(SmtpClientReplyParser, LineCountBound) {
  reply_limits limits{100, 3};
  EXPECT_EQ(whole("250-a\r\n250-b\r\n250 c\r\n", limits), (std::vector<std::string>{"250[]|a|b|c"}));
  EXPECT_EQ(whole("250-a\r\n250-b\r\n250-c\r\n250 d\r\n", limits),
            (std::vector<std::string>{"!reply with too many lines"}));
}

TEST(SmtpClientReplyParser, FailedStaysFailed) {
  reply_parser p;
  p.feed("bad\r\n");
  p.feed("250 ok\r\n");
  auto r = p.next();
  ASSERT_TRUE(r && !*r);
  r = p.next();
  ASSERT_TRUE(r && !*r);
}

TEST(SmtpClientReplyParser, PendingBytesAfterAReplyAreVisible) {
  reply_parser p;
  p.feed("220 2.0.0 Ready to start TLS\r\n250 injected\r\n");
  ASSERT_TRUE(p.next());
  EXPECT_TRUE(p.has_pending());
  reply_parser q;
  q.feed("220 2.0.0 Ready to start TLS\r\n");
  ASSERT_TRUE(q.next());
  EXPECT_FALSE(q.has_pending());
  q.feed("25");
  EXPECT_TRUE(q.has_pending());
}

TEST(SmtpClientReplyParser, RoundTripOfTheServersReplies) {
  sp::capabilities caps;
  caps.size = 1000;
  caps.auth_mechanisms = {"PLAIN", "LOGIN"};
  std::vector<sp::reply> all = {sp::replies::greeting("mx.example.test"), sp::ehlo_reply("mx.example.test", caps),
                                sp::replies::recipient_ok(), sp::replies::help(), sp::replies::start_mail_input(),
                                sp::replies::message_queued("ABC"), sp::replies::non_ascii_address(),
                                sp::replies::auth_challenge("")};
  for (auto const& r : all) {
    reply_parser p;
    p.feed(sp::format(r));
    auto back = p.next();
    ASSERT_TRUE(back && *back) << sp::format(r);
    EXPECT_EQ(**back, r) << sp::format(r);
  }
}

}  // namespace
}  // namespace posta::mail::smtp::client::proto
