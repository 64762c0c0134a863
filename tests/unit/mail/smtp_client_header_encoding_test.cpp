// RFC 2047 encoding of raw UTF-8 headers for a peer without SMTPUTF8:
// unstructured fields and display names become encoded-words, ASCII fields
// stay byte for byte, UTF-8 addresses refuse the message (RFC 6531 3.2).
#include "mail/smtp/client/proto/header_encoding.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

using namespace std::string_literals;

namespace posta::mail::smtp::client::proto {
namespace {

int hex(char c) { return c <= '9' ? c - '0' : c - 'A' + 10; }

// Decodes every =?UTF-8?Q?…?= word; whitespace between two words vanishes
// (RFC 2047 6.2), as a reader shows it.
std::string decode(std::string_view s) {
  std::string out, pending_ws;
  bool after_word = false;
  for (std::size_t i = 0; i < s.size();) {
    if (s.substr(i).starts_with("=?UTF-8?Q?")) {
      auto end = s.find("?=", i + 10);
      if (!after_word) out += pending_ws;
      pending_ws.clear();
      for (std::size_t j = i + 10; j < end; ++j) {
        if (s[j] == '_') out += ' ';
        else if (s[j] == '=') out += static_cast<char>(hex(s[j + 1]) * 16 + hex(s[j + 2])), j += 2;
        else out += s[j];
      }
      i = end + 2;
      after_word = true;
    } else if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
      if (s[i] == ' ' || s[i] == '\t') pending_ws += s[i];
      ++i;
    } else {
      out += pending_ws;
      pending_ws.clear();
      out += s[i++];
      after_word = false;
    }
  }
  return out + pending_ws;
}

// Every sequence complete: no character cut between two encoded-words.
bool is_whole_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto u = static_cast<unsigned char>(s[i]);
    std::size_t n = u < 0x80 ? 1 : u >= 0xF0 ? 4 : u >= 0xE0 ? 3 : u >= 0xC0 ? 2 : 0;
    if (n == 0 || i + n > s.size()) return false;
    i += n;
  }
  return true;
}

std::string encoded(std::string_view header) {
  auto r = encode_utf8_headers(header);
  EXPECT_TRUE(r) << header;
  return r ? r->header : std::string{};
}

void expect_line_lengths(std::string_view text, std::size_t max) {
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    if (line.ends_with('\r')) line.pop_back();
    EXPECT_LE(line.size(), max) << line;
  }
}

TEST(SmtpClientHeaderEncoding, AsciiHeaderIsUntouched) {
  std::string h = "From: A <a@example.test>\r\nSubject: plain\r\n  folded\r\nX-Odd:\tvalue  \r\n\r\n";
  auto r = encode_utf8_headers(h);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header, h);
  EXPECT_FALSE(r->changed);
  EXPECT_TRUE(r->left_8bit.empty());
}

TEST(SmtpClientHeaderEncoding, Subject) {
  auto out = encoded("Subject: Grüße aus München\r\nTo: b@example.test\r\n\r\n");
  EXPECT_EQ(out, "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= aus =?UTF-8?Q?M=C3=BCnchen?=\r\nTo: b@example.test\r\n\r\n");
}

TEST(SmtpClientHeaderEncoding, AdjacentWordsKeepTheirSpace) {
  auto out = encoded("Subject: Größe Änderung ok\r\n\r\n");
  EXPECT_EQ(out, "Subject: =?UTF-8?Q?Gr=C3=B6=C3=9Fe_=C3=84nderung?= ok\r\n\r\n");
  EXPECT_EQ(decode(out), "Subject: Größe Änderung ok");
}

TEST(SmtpClientHeaderEncoding, LongTextSplitsBetweenCharactersWithinLimits) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "日本語テキスト ";
  text += "ünd";
  auto r = encode_utf8_headers("Subject: " + text + "\r\n\r\n");
  ASSERT_TRUE(r);
  expect_line_lengths(r->header, 76);
  auto value = r->header.substr(8);  // after "Subject:"
  EXPECT_EQ(decode(value), " " + text);
  // Each encoded word holds whole characters: each decodes to valid UTF-8 alone.
  for (std::size_t at = value.find("=?"); at != std::string::npos; at = value.find("=?", at + 2)) {
    auto end = value.find("?=", at + 10) + 2;
    EXPECT_LE(end - at, 75u);
    auto alone = decode(value.substr(at, end - at));
    EXPECT_TRUE(is_whole_utf8(alone)) << alone;
  }
}

TEST(SmtpClientHeaderEncoding, DisplayNames) {
  EXPECT_EQ(encoded("From: Jürgen Müller <j@example.test>\r\n\r\n"),
            "From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <j@example.test>\r\n\r\n");
  EXPECT_EQ(encoded("To: \"Müller, Jürgen\" <j@example.test>, b@example.test\r\n\r\n"),
            "To: =?UTF-8?Q?M=C3=BCller=2C_J=C3=BCrgen?= <j@example.test>, b@example.test\r\n\r\n");
  EXPECT_EQ(encoded("Cc: j@example.test (Jürgen)\r\n\r\n"), "Cc: j@example.test (=?UTF-8?Q?J=C3=BCrgen?=)\r\n\r\n");
  EXPECT_EQ(encoded("To: Équipe: a@example.test, b@example.test;\r\n\r\n"),
            "To: =?UTF-8?Q?=C3=89quipe?=: a@example.test, b@example.test;\r\n\r\n");
  EXPECT_EQ(encoded("Reply-To: \"Ann\" <a@example.test>, Zoë <z@example.test>\r\n\r\n"),
            "Reply-To: \"Ann\" <a@example.test>, =?UTF-8?Q?Zo=C3=AB?= <z@example.test>\r\n\r\n");
}

TEST(SmtpClientHeaderEncoding, FoldedInputIsUnfoldedThenFoldedAgain) {
  auto out = encoded("Subject: first line\r\n second ünïcode\r\n\r\n");
  EXPECT_EQ(out, "Subject: first line second =?UTF-8?Q?=C3=BCn=C3=AFcode?=\r\n\r\n");
  std::string many = "To: ";
  for (int i = 0; i < 8; ++i) many += "Zoë " + std::to_string(i) + " <z" + std::to_string(i) + "@example.test>, ";
  many += "end@example.test\r\n\r\n";
  auto r = encode_utf8_headers(many);
  ASSERT_TRUE(r);
  expect_line_lengths(r->header, 76);
  EXPECT_EQ(decode(r->header), decode(many));
}

TEST(SmtpClientHeaderEncoding, Utf8AddressRefusesTheMessage) {
  for (std::string h : {"From: Jürgen <jürgen@example.test>\r\n\r\n", "To: a@example.test, ü@example.test\r\n\r\n",
                        "Cc: <a@bücher.example>\r\n\r\n"}) {
    auto r = encode_utf8_headers(h);
    ASSERT_FALSE(r) << h;
    EXPECT_EQ(r.error().code, 553);
    EXPECT_EQ(r.error().enhanced, "5.6.7");
  }
}

TEST(SmtpClientHeaderEncoding, OtherFieldsAreLeftAndNamed) {
  std::string h = "Message-ID: <ü@example.test>\r\nSubject: ok\r\n\r\nbody ü\r\n";
  auto r = encode_utf8_headers(h);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header, h);  // the body after the blank line is not looked at either
  EXPECT_EQ(r->left_8bit, (std::vector<std::string>{"Message-ID"}));
}

TEST(SmtpClientHeaderEncoding, TextThatLooksEncodedIsEncodedToo) {
  auto out = encoded("Subject: ü =?UTF-8?Q?x?=\r\n\r\n");
  EXPECT_EQ(decode(out), "Subject: ü =?UTF-8?Q?x?=");
}

TEST(SmtpClientHeaderEncoding, EncodeWords) {
  EXPECT_EQ(encode_words("a b"), "=?UTF-8?Q?a_b?=");
  EXPECT_EQ(encode_words("?=_\""), "=?UTF-8?Q?=3F=3D=5F=22?=");
  std::string long_text(100, 'x');
  auto w = encode_words(long_text);
  EXPECT_EQ(w.find(' '), 75u);
  EXPECT_EQ(decode(w), long_text);
}

TEST(SmtpClientHeaderEncoding, EnvelopeCheck) {
  EXPECT_TRUE(has_non_ascii("jürgen@example.test"));
  EXPECT_FALSE(has_non_ascii("j@example.test"));
}

TEST(SmtpClientHeaderEncoding, HeaderSectionEnd) {
  EXPECT_EQ(header_section_end("A: 1\r\nB: 2\r\n\r\nbody"), 14u);
  EXPECT_EQ(header_section_end("\r\nbody only"), 2u);
  EXPECT_EQ(header_section_end("A: 1\r\nB: 2\r\n"), std::string_view::npos);
  EXPECT_EQ(header_section_end("A: 1\n\nbare"), std::string_view::npos);
  EXPECT_EQ(header_section_end(""), std::string_view::npos);
}

}  // namespace
}  // namespace posta::mail::smtp::client::proto
