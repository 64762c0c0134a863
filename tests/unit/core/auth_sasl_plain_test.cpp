// SASL PLAIN (RFC 4616 §2 and its §4 examples) and the AUTH LOGIN exchange.
#include "core/auth/sasl_plain.hpp"

#include "core/util/base64.hpp"

#include <gtest/gtest.h>

#include <string>

namespace posta::auth {
namespace {

using namespace std::string_literals;

struct plain_case {
  std::string message;
  bool ok;
  std::string authzid = {};
  std::string authcid = {};
  std::string password = {};
  errc code = errc::ok;
};

TEST(AuthSaslPlain, DecodeTable) {
  std::string const long_field(max_sasl_field_bytes, 'x');
  plain_case const cases[] = {
      // RFC 4616 §4 examples
      {"\0tim\0tanstaaftanstaaf"s, true, "", "tim", "tanstaaftanstaaf"},
      {"Ursel\0Kurt\0xipj3plmq"s, true, "Ursel", "Kurt", "xipj3plmq"},
      {"\0j\xc3\xbcrgen\0p\xc3\xa4ss"s, true, "", "j\xc3\xbcrgen", "p\xc3\xa4ss"},
      {"\0"s + long_field + "\0"s + long_field, true, "", long_field, long_field},
      {"\0tim\0"s, false, {}, {}, {}, errc::protocol_error},               // empty password
      {"\0\0secret"s, false, {}, {}, {}, errc::protocol_error},            // empty authcid
      {"tim\0secret"s, false, {}, {}, {}, errc::protocol_error},           // one NUL
      {"timsecret"s, false, {}, {}, {}, errc::protocol_error},             // no NUL
      {""s, false, {}, {}, {}, errc::protocol_error},
      {"\0tim\0sec\0ret"s, false, {}, {}, {}, errc::protocol_error},       // three NULs
      {"\0tim\0\xff\xfe"s, false, {}, {}, {}, errc::protocol_error},       // not UTF-8
      {"\0tim\0\xc0\xaf"s, false, {}, {}, {}, errc::protocol_error},       // overlong '/'
      {"\0tim\0\xed\xa0\x80"s, false, {}, {}, {}, errc::protocol_error},   // surrogate
      {"\0tim\0\xe2\x82"s, false, {}, {}, {}, errc::protocol_error},       // truncated
      {"\0"s + long_field + "x\0pw"s, false, {}, {}, {}, errc::limit_exceeded},
      {"\0tim\0"s + long_field + "x", false, {}, {}, {}, errc::limit_exceeded},
  };
  for (auto const& c : cases) {
    auto const r = decode_plain(c.message);
    ASSERT_EQ(static_cast<bool>(r), c.ok) << testing::PrintToString(c.message.substr(0, 40));
    if (r) {
      EXPECT_EQ(r->authzid, c.authzid);
      EXPECT_EQ(r->authcid, c.authcid);
      EXPECT_EQ(r->password, c.password);
    } else {
      EXPECT_EQ(r.error().code, make_error_code(c.code)) << testing::PrintToString(c.message.substr(0, 40));
    }
  }
}

TEST(AuthSaslPlain, DecodesBase64Responses) {
  auto const r = decode_plain_base64("AHRpbQB0YW5zdGFhZnRhbnN0YWFm");  // "\0tim\0tanstaaftanstaaf"
  ASSERT_TRUE(r);
  EXPECT_EQ(r->authcid, "tim");
  EXPECT_EQ(r->password, "tanstaaftanstaaf");
  EXPECT_EQ(decode_plain_base64("AHRpbQB0YW5zdGFhZnRhbnN0YWFm!").error().code, make_error_code(errc::protocol_error));
  EXPECT_EQ(decode_plain_base64(std::string(8000, 'A')).error().code, make_error_code(errc::limit_exceeded));
}

TEST(AuthSaslPlain, RecognisesCancel) {
  EXPECT_TRUE(is_sasl_cancel("*"));
  EXPECT_FALSE(is_sasl_cancel("**"));
  EXPECT_FALSE(is_sasl_cancel(""));
}

TEST(AuthLoginExchange, PromptsForUsernameThenPassword) {
  login_exchange login;
  EXPECT_EQ(util::base64_decode(login.challenge()).value(), "Username:");
  ASSERT_TRUE(login.feed(util::base64_encode("tim@example.org")));
  EXPECT_EQ(login.current(), login_exchange::step::need_password);
  EXPECT_EQ(util::base64_decode(login.challenge()).value(), "Password:");
  ASSERT_TRUE(login.feed(util::base64_encode("tanstaaf")));
  EXPECT_EQ(login.current(), login_exchange::step::done);
  EXPECT_EQ(login.challenge(), "");
  EXPECT_EQ(login.username(), "tim@example.org");
  EXPECT_EQ(login.password(), "tanstaaf");
  EXPECT_FALSE(login.feed(util::base64_encode("more")));
}

TEST(AuthLoginExchange, RefusesBadResponsesWithoutAdvancing) {
  std::string const bad[] = {"", "!!!!", "dGlt\r\n", util::base64_encode("a\0b"s), util::base64_encode("\xff"),
                             std::string(2000, 'A')};
  for (auto const& response : bad) {
    login_exchange login;
    EXPECT_FALSE(login.feed(response)) << response;
    EXPECT_EQ(login.current(), login_exchange::step::need_username);
  }
  login_exchange login;
  ASSERT_TRUE(login.feed(util::base64_encode("tim")));
  EXPECT_EQ(login.feed(std::string(2000, 'A')).error().code, make_error_code(errc::limit_exceeded));
  EXPECT_EQ(login.current(), login_exchange::step::need_password);
}

}  // namespace
}  // namespace posta::auth
