// Tests for the incremental SMTP command line splitter (RFC 5321 2.3.8,
// 4.5.3.1.4): whole input, byte by byte and every split point give the same lines.
#include "mail/smtp/proto/line_splitter.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace posta::mail::smtp::proto {
namespace {

// Feeds `chunks` in order; lines become their text, overlong lines
// "<overlong>", lines with NUL get a "<nul>" prefix.
std::vector<std::string> run(line_splitter& s, std::vector<std::string_view> const& chunks) {
  std::vector<std::string> out;
  for (std::string_view chunk : chunks) {
    while (!chunk.empty()) {
      auto ev = s.next(chunk);
      EXPECT_LE(ev.consumed, chunk.size());
      EXPECT_GT(ev.consumed, 0u);
      chunk.remove_prefix(ev.consumed);
      if (ev.what == line_splitter::kind::line)
        out.push_back((ev.has_nul ? "<nul>" : "") + std::string(ev.line));
      else if (ev.what == line_splitter::kind::overlong)
        out.push_back("<overlong>");
      else
        EXPECT_TRUE(chunk.empty());
    }
  }
  return out;
}

std::vector<std::string> whole(std::string_view in, std::size_t max) {
  line_splitter s(max);
  return run(s, {in});
}

std::vector<std::string> bytewise(std::string_view in, std::size_t max) {
  line_splitter s(max);
  std::vector<std::string_view> chunks;
  for (std::size_t i = 0; i < in.size(); ++i) chunks.push_back(in.substr(i, 1));
  return run(s, chunks);
}

struct split_case {
  std::string in;
  std::size_t max;
  std::vector<std::string> lines;
};

std::vector<split_case> cases() {
  using namespace std::string_literals;
  return {
      {"EHLO x\r\nMAIL FROM:<a@b>\r\n", 512, {"EHLO x", "MAIL FROM:<a@b>"}},
      {"QUIT\n", 512, {"QUIT"}},                      // COMPAT: bare LF
      {"A\rB\r\n", 512, {"A\rB"}},                    // a lone CR stays in the line
      {"\r\n\n", 512, {"", ""}},
      {"DATA", 512, {}},                              // no line end yet
      {"NO\0OP\r\nNOOP\r\n"s, 512, {"<nul>NO\0OP"s, "NOOP"}},
      {"12345678\r\nabc\r\n", 10, {"12345678", "abc"}},  // exactly at the bound
      {"12345678\nabc\n", 10, {"12345678", "abc"}},
      {"123456789\r\nabc\r\n", 10, {"<overlong>", "abc"}},
      {"123456789\nabc\n", 10, {"<overlong>", "abc"}},
      {"1234567890123456789\r\nok\r\n", 10, {"<overlong>", "ok"}},
      {"12345678\r\r\n", 10, {"<overlong>"}},         // 9 octets of content: a CR is content
      {"a\0" "123456789012\r\nb\r\n"s, 10, {"<overlong>", "b"}},
      {std::string(600, 'x') + "\r\n" + "RSET\r\n", 512, {"<overlong>", "RSET"}},
      {std::string(510, 'x') + "\r\n", 512, {std::string(510, 'x')}},
      {std::string(511, 'x') + "\r\n", 512, {"<overlong>"}},
  };
}

TEST(SmtpLineSplitter, WholeAndByteByByte) {
  for (auto const& c : cases()) {
    EXPECT_EQ(whole(c.in, c.max), c.lines) << c.in;
    EXPECT_EQ(bytewise(c.in, c.max), c.lines) << c.in;
  }
}

TEST(SmtpLineSplitter, EverySplitPoint) {
  for (auto const& c : cases()) {
    std::string_view in = c.in;
    for (std::size_t i = 0; i <= in.size(); ++i) {
      line_splitter s(c.max);
      EXPECT_EQ(run(s, {in.substr(0, i), in.substr(i)}), c.lines) << c.in << " split at " << i;
    }
  }
}

TEST(SmtpLineSplitter, EveryPairOfSplitPoints) {
  for (auto const& c : cases()) {
    std::string_view in = c.in;
    if (in.size() > 64) continue;
    for (std::size_t i = 0; i <= in.size(); ++i)
      for (std::size_t j = i; j <= in.size(); ++j) {
        line_splitter s(c.max);
        EXPECT_EQ(run(s, {in.substr(0, i), in.substr(i, j - i), in.substr(j)}), c.lines)
            << c.in << " split at " << i << "," << j;
      }
  }
}

TEST(SmtpLineSplitter, StopsAfterEachLineSoTheRestCanGoElsewhere) {
  line_splitter s;
  std::string_view in = "DATA\r\nSubject: x\r\n";
  auto ev = s.next(in);
  ASSERT_EQ(ev.what, line_splitter::kind::line);
  EXPECT_EQ(ev.line, "DATA");
  EXPECT_EQ(ev.consumed, 6u);  // the message bytes are left for the data decoder
}

TEST(SmtpLineSplitter, MemoryStaysBounded) {
  line_splitter s(512);
  std::string junk(4096, 'x');
  for (int i = 0; i < 256; ++i) {  // 1 MiB without a line end
    auto ev = s.next(junk);
    EXPECT_EQ(ev.what, line_splitter::kind::need_more);
    EXPECT_LE(s.buffered(), 512u);
  }
  auto ev = s.next("\r\nQUIT\r\n");
  EXPECT_EQ(ev.what, line_splitter::kind::overlong);
  EXPECT_EQ(ev.consumed, 2u);
  ev = s.next("QUIT\r\n");
  EXPECT_EQ(ev.what, line_splitter::kind::line);
  EXPECT_EQ(ev.line, "QUIT");
}

TEST(SmtpLineSplitter, LargerBoundForAuthLines) {
  line_splitter s;
  std::string b64(4000, 'Q');
  std::string line = b64 + "\r\n";
  EXPECT_EQ(s.next(line).what, line_splitter::kind::overlong);
  s.set_max_line(max_auth_line);
  auto ev = s.next(line);
  ASSERT_EQ(ev.what, line_splitter::kind::line);
  EXPECT_EQ(ev.line, b64);
  s.set_max_line(max_command_line);
  EXPECT_EQ(s.next(line).what, line_splitter::kind::overlong);
}

TEST(SmtpLineSplitter, ResetDropsAPartialLine) {
  line_splitter s;
  EXPECT_EQ(s.next("MAIL FR").what, line_splitter::kind::need_more);
  EXPECT_EQ(s.buffered(), 7u);
  s.reset();
  auto ev = s.next("QUIT\r\n");
  EXPECT_EQ(ev.line, "QUIT");
}

TEST(SmtpLineSplitter, EmptyInputNeedsMore) {
  line_splitter s;
  auto ev = s.next({});
  EXPECT_EQ(ev.what, line_splitter::kind::need_more);
  EXPECT_EQ(ev.consumed, 0u);
}

}  // namespace
}  // namespace posta::mail::smtp::proto
