// Tests for the RETR/TOP body encoder: byte-stuffing, line endings, the
// terminating dot, TOP's header and n lines, and the same output for every
// split of the input and byte by byte (RFC 1939 3, 7).
#include "mail/pop3/proto/message_encoder.hpp"

#include "crlf.hpp"

#include <gtest/gtest.h>

namespace posta::mail::pop3::proto {
namespace {

using posta::test::crlf;

std::string encode(std::string_view in, std::optional<std::uint32_t> top = std::nullopt) {
  message_encoder e(top);
  std::string out;
  e.feed(in, out);
  e.finish(out);
  return out;
}

std::string encode_bytewise(std::string_view in, std::optional<std::uint32_t> top = std::nullopt) {
  message_encoder e(top);
  std::string out;
  for (char c : in) e.feed(std::string_view(&c, 1), out);
  e.finish(out);
  return out;
}

std::string encode_split(std::string_view in, std::size_t at, std::optional<std::uint32_t> top = std::nullopt) {
  message_encoder e(top);
  std::string out;
  e.feed(in.substr(0, at), out);
  e.feed(in.substr(at), out);
  e.finish(out);
  return out;
}

std::string const message = crlf("From: a@example.org\nSubject: dots\n\n.starts with a dot\nmiddle . dot\n.\n..\nlast\n");

TEST(Pop3MessageEncoder, RetrStuffsLinesStartingWithADot) {
  EXPECT_EQ(encode(message), crlf("From: a@example.org\nSubject: dots\n\n..starts with a dot\nmiddle . dot\n..\n...\nlast\n.\n"));
}

TEST(Pop3MessageEncoder, FirstLineDotIsStuffedToo) {
  EXPECT_EQ(encode(".\r\n"), "..\r\n.\r\n");
}

TEST(Pop3MessageEncoder, BareLineFeedsBecomeCrlfAndALastLineIsCompleted) {
  EXPECT_EQ(encode("a\nb\r\nc"), "a\r\nb\r\nc\r\n.\r\n");
  EXPECT_EQ(encode("a\r"), "a\r\n.\r\n");  // a last CR is completed to CRLF
  EXPECT_EQ(encode("x\ry\r\n"), "x\ry\r\n.\r\n");
  EXPECT_EQ(encode(""), ".\r\n");
}

TEST(Pop3MessageEncoder, TopSendsTheHeaderAndNBodyLines) {
  EXPECT_EQ(encode(message, 0), crlf("From: a@example.org\nSubject: dots\n\n.\n"));
  EXPECT_EQ(encode(message, 1), crlf("From: a@example.org\nSubject: dots\n\n..starts with a dot\n.\n"));
  EXPECT_EQ(encode(message, 3), crlf("From: a@example.org\nSubject: dots\n\n..starts with a dot\nmiddle . dot\n..\n.\n"));
  EXPECT_EQ(encode(message, 1000), encode(message));
}

TEST(Pop3MessageEncoder, TopIsDoneWithoutReadingFurther) {
  message_encoder e(1);
  std::string out;
  e.feed(crlf("H: v\n\nline 1\n"), out);
  EXPECT_TRUE(e.is_done());
  e.feed("line 2\r\n", out);  // ignored
  e.finish(out);
  EXPECT_EQ(out, crlf("H: v\n\nline 1\n.\n"));
}

TEST(Pop3MessageEncoder, TopOfAMessageWithoutBody) {
  EXPECT_EQ(encode(crlf("H: v\n"), 0), crlf("H: v\n.\n"));
  EXPECT_EQ(encode("H: v", 5), "H: v\r\n.\r\n");
}

TEST(Pop3MessageEncoder, EverySplitPointAndByteByByteGiveTheSameOutput) {
  std::string const inputs[] = {message, "a\nb\r\n.c\r\r\n\n.\n", crlf("H: v\n\n.\n.\n..x\n"), "no newline at all ."};
  for (auto const& in : inputs) {
    for (std::optional<std::uint32_t> top : {std::optional<std::uint32_t>{}, std::optional<std::uint32_t>{0},
                                             std::optional<std::uint32_t>{1}, std::optional<std::uint32_t>{2}}) {
      auto const whole = encode(in, top);
      EXPECT_EQ(encode_bytewise(in, top), whole) << in;
      for (std::size_t at = 0; at <= in.size(); ++at) EXPECT_EQ(encode_split(in, at, top), whole) << in << " @" << at;
    }
  }
}

}  // namespace
}  // namespace posta::mail::pop3::proto
