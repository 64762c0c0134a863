// A message signed by mail/dkim and sent by the SMTP client to a real
// receiver (aiosmtpd) verifies with python3-dkim, an independent
// implementation, against the published key record; changed in transit,
// it does not.
#include "core/identity/dkim.hpp"
#include "core/util/base64.hpp"
#include "core/util/process.hpp"
#include "mail/dkim/signer.hpp"
#include "mail/smtp/client/connection.hpp"
#include "mail/smtp/proto/address.hpp"
#include "tests/integration/outbound/smtp_sink.hpp"
#include "tests/integration/support/test_support.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace posta::mail::dkim {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace client = smtp::client;

class dkim_signing : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto pair = util::generate_rsa_key_blocking(2048).value();
    key_.domain = "corp.test";
    key_.selector = "posta202501";
    key_.private_key_pem = pair.private_pem;
    record_ = identity::dkim_record_value(util::base64_encode(pair.public_der));
  }

  void SetUp() override { fs::create_directories(tmp_); }
  void TearDown() override { fs::remove_all(tmp_); }

  // The message as the sink received it, after signing and sending.
  std::string sign_and_send(std::string const& message) {
    auto stored = client::memory_body(message);
    signer s(*stored);
    auto header = itest::run_until_done(io_, s.read_header());
    if (!header) throw std::runtime_error(header.error().message());
    auto field = itest::run_until_done(io_, s.sign(key_, "test"));
    if (!field) throw std::runtime_error(field.error().message());
    auto body = with_field(*field, std::move(stored));
    itest::smtp_sink sink;
    boost::asio::ip::tcp::endpoint at{boost::asio::ip::make_address("127.0.0.1"), sink.port()};
    auto c = itest::run_until_done(io_, client::connection::open({at}, {}));
    if (!c) throw std::runtime_error("open: " + smtp::proto::format(c.error()));
    client::outbound_message m;
    m.sender = *smtp::proto::parse_path("<ann@corp.test>", {smtp::proto::path_role::reverse, true});
    m.recipients.push_back({*smtp::proto::parse_path("<bob@remote.test>", {smtp::proto::path_role::forward, true}), {}});
    m.body = body.get();
    auto results = itest::run_until_done(io_, (*c)->send(m));
    if (results.empty() || !results[0].delivered) throw std::runtime_error("not delivered");
    itest::run_until_done(io_, (*c)->quit());
    return sink.message(1);
  }

  // python3-dkim's verdict on `message` with the key record published.
  bool verifies(std::string const& message) {
    auto path = tmp_ / "message.eml";
    std::ofstream(path, std::ios::binary) << message;
    util::spawn_options o;
    fs::remove(tmp_ / "verify.log");
    o.output_path = (tmp_ / "verify.log").string();
    auto rc = util::run_process_blocking({"/usr/bin/python3", POSTA_SOURCE_DIR "/tests/integration/outbound/dkim_verify.py",
                                          path.string(), "posta202501._domainkey.corp.test", record_},
                                         o, 60s);
    EXPECT_TRUE(rc) << rc.error().message();
    log_ = itest::read_whole_file(tmp_ / "verify.log");
    return rc && *rc == 0;
  }
  std::string log_;  // python3-dkim's account of the last verification

  static inline identity::dkim_signing_key key_;
  static inline std::string record_;
  boost::asio::io_context io_;
  fs::path tmp_ = fs::temp_directory_path() / ("posta-dkim-" + std::to_string(::getpid()));
};

std::string const message =
    "From: Ann <ann@corp.test>\r\nTo: bob@remote.test\r\nCc: carol@remote.test\r\n"
    "Subject: Figures   for\r\n Q1\r\nDate: Mon, 6 Jan 2025 10:00:00 +0000\r\nMessage-ID: <q1@corp.test>\r\n"
    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    "Hello Bob,\r\n.a line with a leading dot\r\n\r\ntrailing blanks   \r\n\r\n\r\n";

TEST_F(dkim_signing, a_sent_message_verifies_with_python3_dkim) {
  auto received = sign_and_send(message);
  ASSERT_TRUE(received.starts_with("DKIM-Signature: ")) << received.substr(0, 200);
  EXPECT_TRUE(verifies(received)) << log_;
}

TEST_F(dkim_signing, a_large_message_with_bare_line_feeds_verifies) {
  std::string big = "From: ann@corp.test\nTo: bob@remote.test\nSubject: big\n\n";
  while (big.size() < 600 * 1024) big += "line " + std::to_string(big.size()) + " of a long attachment\n";
  EXPECT_TRUE(verifies(sign_and_send(big))) << log_;
}

TEST_F(dkim_signing, changes_in_transit_break_the_signature) {
  auto received = sign_and_send(message);
  ASSERT_TRUE(verifies(received)) << log_;
  auto body_changed = received;
  body_changed.replace(body_changed.find("Hello Bob"), 9, "Hello Eve");
  EXPECT_FALSE(verifies(body_changed));
  auto subject_changed = received;
  subject_changed.replace(subject_changed.find("Figures"), 7, "Invoice");
  EXPECT_FALSE(verifies(subject_changed));
  // A second From added above the signed one (RFC 6376 8.15): the oversigned From refuses it.
  auto header_end = received.find("\r\n\r\n");
  auto second_from = received.substr(0, header_end) + "\r\nFrom: mallory@evil.test" + received.substr(header_end);
  EXPECT_FALSE(verifies(second_from));
}

}  // namespace
}  // namespace posta::mail::dkim
