// The outbound SMTP client against a real receiving server (python3-aiosmtpd):
// what the sink receives byte for byte, a reply per recipient (250, 451,
// 550), connection reuse, STARTTLS opportunistic and verified, AUTH PLAIN
// over TLS, fail-over to the next address, RFC 2047 headers for a peer
// without SMTPUTF8, and a silent server that times out.
#include "core/net/tls.hpp"
#include "mail/smtp/client/connection.hpp"
#include "mail/smtp/proto/address.hpp"
#include "tests/integration/support/test_support.hpp"
#include "tests/integration/outbound/smtp_sink.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <filesystem>

namespace posta::mail::smtp::client {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace sp = smtp::proto;
using tcp = boost::asio::ip::tcp;

std::string const body =
    "From: a@example.test\r\nTo: ok@example.test\r\nSubject: test\r\n\r\n"
    "line one\r\n.leading dot\r\n..two dots\r\n.\r\nlast line without CRLF";

sp::path path(std::string_view text) { return *sp::parse_path(text, {sp::path_role::reverse, true}); }

class outbound_client : public ::testing::Test {
 protected:
  template <class T>
  T run(asio::awaitable<T> aw) {
    return itest::run_until_done(io_, std::move(aw));
  }

  static tcp::endpoint at(std::uint16_t port) { return {boost::asio::ip::make_address("127.0.0.1"), port}; }

  std::unique_ptr<connection> open(itest::smtp_sink const& sink, client_options o = {}) {
    auto c = run(connection::open({at(sink.port())}, o));
    if (!c) throw std::runtime_error("open: " + sp::format(c.error()));
    return std::move(*c);
  }

  outbound_message message(std::vector<std::string> to, std::string const& bytes = body) {
    body_ = memory_body(bytes);
    outbound_message m;
    m.sender = path("<sender@example.test>");
    for (auto const& t : to) m.recipients.push_back({path(t), {}});
    m.body = body_.get();
    return m;
  }

  void make_certificate() { ASSERT_TRUE(net::ensure_self_signed_certificate(cert_, key_, "localhost")); }

  asio::io_context io_;
  std::unique_ptr<body_source> body_;
  fs::path tmp_ = fs::temp_directory_path() / ("posta-outbound-" + std::to_string(::getpid()));
  fs::path cert_ = tmp_ / "cert.pem";
  fs::path key_ = tmp_ / "key.pem";
  void TearDown() override { fs::remove_all(tmp_); }
};

TEST_F(outbound_client, DeliversByteForByte) {
  itest::smtp_sink sink;
  auto c = open(sink);
  auto m = message({"<ok@example.test>", "<other@example.test>"});
  m.params.body = sp::body_type::eight_bit_mime;
  auto results = run(c->send(m));
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].delivered) << sp::format(results[0].reply);
  EXPECT_TRUE(results[1].delivered);
  EXPECT_EQ(results[0].reply.code, 250);
  ASSERT_EQ(sink.received(), 1);
  EXPECT_EQ(sink.message(1), body + "\r\n");  // the client ends the last line before the dot
  auto env = sink.envelope_json(1);
  EXPECT_NE(env.find("\"mail_from\": \"sender@example.test\""), std::string::npos) << env;
  EXPECT_NE(env.find("\"rcpt_tos\": [\"ok@example.test\", \"other@example.test\"]"), std::string::npos) << env;
  EXPECT_NE(env.find("SIZE=" + std::to_string(body.size())), std::string::npos) << env;
  EXPECT_NE(env.find("BODY=8BITMIME"), std::string::npos) << env;
  run(c->quit());
}

TEST_F(outbound_client, EachRecipientGetsTheServersReply) {
  itest::smtp_sink sink({"--reject", "greylist@", "451 4.7.1 greylisted, try again", "--reject", "nobody@",
                         "550 5.1.1 no such user"});
  auto c = open(sink);
  auto results = run(c->send(message({"<ok@example.test>", "<greylist@example.test>", "<nobody@example.test>"})));
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].delivered);
  EXPECT_FALSE(results[1].delivered);
  EXPECT_EQ(results[1].reply.code, 451);
  EXPECT_EQ(results[1].reply.enhanced, "4.7.1");
  EXPECT_EQ(results[1].reply.lines.front(), "greylisted, try again");
  EXPECT_FALSE(results[2].delivered);
  EXPECT_EQ(results[2].reply.code, 550);
  EXPECT_EQ(results[2].reply.enhanced, "5.1.1");
  ASSERT_EQ(sink.received(), 1);
  EXPECT_NE(sink.envelope_json(1).find("\"rcpt_tos\": [\"ok@example.test\"]"), std::string::npos);
  EXPECT_TRUE(c->is_usable());
}

TEST_F(outbound_client, NobodyAcceptedThenTheConnectionIsReused) {
  itest::smtp_sink sink({"--reject", "nobody@", "550 5.1.1 no such user"});
  auto c = open(sink);
  auto first = run(c->send(message({"<nobody@example.test>"})));
  EXPECT_EQ(first[0].reply.code, 550);
  ASSERT_TRUE(c->is_usable());
  auto second = run(c->send(message({"<ok@example.test>"})));
  EXPECT_TRUE(second[0].delivered) << sp::format(second[0].reply);
  auto third = run(c->send(message({"<ok2@example.test>"}, "Subject: again\r\n\r\nbody\r\n")));
  EXPECT_TRUE(third[0].delivered) << sp::format(third[0].reply);
  ASSERT_EQ(sink.received(), 2);
  EXPECT_EQ(sink.message(2), "Subject: again\r\n\r\nbody\r\n");
  run(c->quit());
}

TEST_F(outbound_client, OpportunisticStartTls) {
  make_certificate();
  itest::smtp_sink sink({"--tls", cert_.string(), key_.string()});
  client_options o;
  o.tls_context = *net::make_opportunistic_client_tls_context();
  auto c = open(sink, o);
  EXPECT_TRUE(c->is_tls());
  EXPECT_TRUE(run(c->send(message({"<ok@example.test>"})))[0].delivered);
  EXPECT_NE(sink.envelope_json(1).find("\"tls\": true"), std::string::npos);
}

TEST_F(outbound_client, RequiredTlsVerifiesTheCertificate) {
  make_certificate();
  itest::smtp_sink sink({"--tls", cert_.string(), key_.string()});
  client_options o;
  o.tls = tls_policy::required;
  o.tls_context = *net::make_client_tls_context(cert_);
  o.tls_name = "localhost";
  auto c = open(sink, o);
  EXPECT_TRUE(c->is_tls());
  EXPECT_TRUE(run(c->send(message({"<ok@example.test>"})))[0].delivered);
  o.tls_name = "mx.other.test";  // not in the certificate
  auto refused = run(connection::open({at(sink.port())}, o));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, 451);
  EXPECT_EQ(refused.error().enhanced, "4.7.5");
}

TEST_F(outbound_client, BrokenTlsFallsBackToPlaintextOnlyWhenOpportunistic) {
  make_certificate();
  itest::smtp_sink sink({"--tls", cert_.string(), key_.string(), "--broken-tls"});
  client_options o;
  o.tls_context = *net::make_opportunistic_client_tls_context();
  auto c = open(sink, o);
  EXPECT_FALSE(c->is_tls());
  EXPECT_TRUE(run(c->send(message({"<ok@example.test>"})))[0].delivered);
  EXPECT_NE(sink.envelope_json(1).find("\"tls\": false"), std::string::npos);
  o.tls = tls_policy::required;
  o.tls_context = *net::make_client_tls_context(cert_);
  o.tls_name = "localhost";
  auto refused = run(connection::open({at(sink.port())}, o));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().enhanced, "4.7.5");
  EXPECT_EQ(sink.received(), 1);
}

TEST_F(outbound_client, RequiredTlsWithoutStartTlsIsTemporary) {
  itest::smtp_sink sink;
  client_options o;
  o.tls = tls_policy::required;
  o.tls_context = *net::make_opportunistic_client_tls_context();
  auto refused = run(connection::open({at(sink.port())}, o));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, 451);
  EXPECT_EQ(refused.error().enhanced, "4.7.10");
  EXPECT_EQ(sink.received(), 0);
}

TEST_F(outbound_client, AuthPlainOverTls) {
  make_certificate();
  itest::smtp_sink sink({"--tls", cert_.string(), key_.string(), "--auth", "relayuser", "s3cret pass"});
  client_options o;
  o.tls_context = *net::make_opportunistic_client_tls_context();
  o.auth = credentials{"relayuser", "s3cret pass"};
  auto c = open(sink, o);
  EXPECT_TRUE(run(c->send(message({"<ok@example.test>"})))[0].delivered);
  EXPECT_NE(sink.envelope_json(1).find("\"login\": \"relayuser\""), std::string::npos) << sink.envelope_json(1);
  o.auth = credentials{"relayuser", "wrong"};
  auto refused = run(connection::open({at(sink.port())}, o));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, 535);
}

TEST_F(outbound_client, NoCredentialsInPlaintext) {
  itest::smtp_sink sink({"--auth", "relayuser", "pw"});
  client_options o;
  o.tls = tls_policy::none;
  o.auth = credentials{"relayuser", "pw"};
  auto refused = run(connection::open({at(sink.port())}, o));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().enhanced, "4.7.11");
}

TEST_F(outbound_client, NextAddressWhenOneRefuses) {
  itest::smtp_sink sink;
  auto closed = itest::free_tcp_port();
  auto c = run(connection::open({at(closed), at(sink.port())}, {}));
  ASSERT_TRUE(c);
  EXPECT_EQ((*c)->remote_endpoint().port(), sink.port());
  auto none = run(connection::open({at(closed)}, {}));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, 451);
  EXPECT_EQ(none.error().enhanced, "4.4.1");
}

TEST_F(outbound_client, Utf8HeadersEncodedForAPeerWithoutSmtputf8) {
  itest::smtp_sink sink;  // no SMTPUTF8
  auto c = open(sink);
  auto m = message({"<ok@example.test>"}, "From: Jürgen <j@example.test>\r\nSubject: Grüße\r\n\r\nHällo\r\n");
  m.params.smtputf8 = true;
  auto results = run(c->send(m));
  ASSERT_TRUE(results[0].delivered) << sp::format(results[0].reply);
  EXPECT_EQ(sink.message(1),
            "From: =?UTF-8?Q?J=C3=BCrgen?= <j@example.test>\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n\r\nHällo\r\n");
  EXPECT_EQ(sink.envelope_json(1).find("SMTPUTF8"), std::string::npos);
  auto utf8_rcpt = run(c->send(message({"<jürgen@example.test>"})));
  EXPECT_EQ(utf8_rcpt[0].reply.code, 553);
  EXPECT_EQ(utf8_rcpt[0].reply.enhanced, "5.6.7");
  auto utf8_header = message({"<ok@example.test>"}, "To: <ü@example.test>\r\n\r\nx\r\n");
  utf8_header.params.smtputf8 = true;
  EXPECT_EQ(run(c->send(utf8_header))[0].reply.enhanced, "5.6.7");
  EXPECT_EQ(sink.received(), 1);
  EXPECT_TRUE(c->is_usable());
}

TEST_F(outbound_client, Utf8GoesAsItIsToAPeerWithSmtputf8) {
  itest::smtp_sink sink({"--smtputf8"});
  auto c = open(sink);
  EXPECT_TRUE(c->peer().smtputf8);
  std::string raw = "Subject: Grüße\r\n\r\nx\r\n";
  auto m = message({"<jürgen@example.test>"}, raw);
  m.params.smtputf8 = true;
  ASSERT_TRUE(run(c->send(m))[0].delivered);
  EXPECT_EQ(sink.message(1), raw);
  EXPECT_NE(sink.envelope_json(1).find("SMTPUTF8"), std::string::npos);
}

std::string large_body() {
  std::string b = "Subject: large\r\n\r\n";
  for (int i = 0; b.size() < 300'000; ++i) b += (i % 7 == 0 ? ".dot " : "line ") + std::to_string(i) + "\r\n";
  return b;
}

TEST_F(outbound_client, LargeBodyInManyWrites) {
  itest::smtp_sink sink;
  auto c = open(sink);
  auto big = large_body();
  ASSERT_TRUE(run(c->send(message({"<ok@example.test>"}, big)))[0].delivered);
  EXPECT_EQ(sink.message(1), big);
}

TEST_F(outbound_client, PipelinedRecipientsGetTheirOwnReplies) {
  itest::smtp_sink sink({"--pipelining", "--reject", "nobody@", "550 5.1.1 no such user"});
  auto c = open(sink);
  ASSERT_TRUE(c->peer().pipelining);
  auto results = run(c->send(message({"<nobody@example.test>", "<ok@example.test>", "<ok2@example.test>"})));
  EXPECT_EQ(results[0].reply.code, 550);
  EXPECT_TRUE(results[1].delivered);
  EXPECT_TRUE(results[2].delivered);
  EXPECT_EQ(sink.message(1), body + "\r\n");
  auto again = run(c->send(message({"<nobody@example.test>"})));  // nobody: RSET goes with the next MAIL
  EXPECT_EQ(again[0].reply.code, 550);
  EXPECT_TRUE(run(c->send(message({"<ok@example.test>"})))[0].delivered);
  EXPECT_EQ(sink.received(), 2);
}

TEST_F(outbound_client, ChunkingSendsBdatWithCanonicalLineEnds) {
  for (bool pipelining : {true, false}) {
    std::vector<std::string> args{"--chunking"};
    if (pipelining) args.push_back("--pipelining");
    itest::smtp_sink sink(args);
    auto c = open(sink);
    ASSERT_TRUE(c->peer().chunking);
    auto big = large_body();
    ASSERT_TRUE(run(c->send(message({"<ok@example.test>"}, big + "bare\nlf")))[0].delivered);
    EXPECT_EQ(sink.message(1), big + "bare\r\nlf") << "pipelining " << pipelining;  // BDAT: no dot-stuffing
    ASSERT_TRUE(run(c->send(message({"<ok@example.test>"}, "")))[0].delivered);  // BDAT 0 LAST
    EXPECT_EQ(sink.message(2), "");
  }
}

TEST_F(outbound_client, SilentServerTimesOut) {
  tcp::acceptor silent(io_, at(0));  // accepts (the kernel does) and never greets
  client_options o;
  o.greeting_timeout = 300ms;
  auto r = run(connection::open({at(silent.local_endpoint().port())}, o));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, 451);
  EXPECT_EQ(r.error().enhanced, "4.4.2");
}

}  // namespace
}  // namespace posta::mail::smtp::client
