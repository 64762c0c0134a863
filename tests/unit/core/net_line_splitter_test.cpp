// Tests of the pure line splitter: tables, whole / byte by byte / every split point.
#include "core/net/line_splitter.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace posta::net {
namespace {

// Each event rendered as text: "L:<line>" or "TOO_LONG".
using events = std::vector<std::string>;

void drain(line_splitter& s, events& out) {
  for (;;) {
    auto o = s.next();
    if (o.what == line_splitter::status::need_more) return;
    out.push_back(o.what == line_splitter::status::line ? "L:" + std::string(o.line) : "TOO_LONG");
  }
}

events feed_in_chunks(line_limits limits, std::string_view input, std::vector<std::size_t> cuts) {
  line_splitter s(limits);
  events out;
  std::size_t pos = 0;
  cuts.push_back(input.size());
  for (std::size_t cut : cuts) {
    s.feed(input.substr(pos, cut - pos));
    drain(s, out);
    pos = cut;
  }
  return out;
}

struct split_case {
  char const* name;
  line_limits limits;
  std::string input;
  events expected;
  std::string rest;  // bytes left buffered at the end
};

std::vector<split_case> const cases = {
    {"one_line", {}, "EHLO x\r\n", {"L:EHLO x"}, ""},
    {"two_lines", {}, "A\r\nB\r\n", {"L:A", "L:B"}, ""},
    {"empty_line", {}, "\r\n", {"L:"}, ""},
    {"partial_tail", {}, "A\r\nBC", {"L:A"}, "BC"},
    {"bare_lf_strict_is_content", {}, "A\nB\r\n", {"L:A\nB"}, ""},
    {"bare_cr_is_content", {}, "A\rB\r\n", {"L:A\rB"}, ""},
    {"bare_lf_accepted", {8, true}, "A\nB\r\nC\n", {"L:A", "L:B", "L:C"}, ""},
    {"exactly_max", {4, false}, "abcd\r\nx\r\n", {"L:abcd", "L:x"}, ""},
    {"one_over_max", {4, false}, "abcde\r\nx\r\n", {"TOO_LONG", "L:x"}, ""},
    {"far_over_max", {4, false}, std::string(100, 'z') + "\r\nok\r\n", {"TOO_LONG", "L:ok"}, ""},
    {"over_max_bare_lf_inside", {4, false}, "ab\ncd\r\nok\r\n", {"TOO_LONG", "L:ok"}, ""},
    {"over_max_lf_mode", {4, true}, "abcdef\nok\n", {"TOO_LONG", "L:ok"}, ""},
    {"max_zero", {0, false}, "\r\na\r\n", {"L:", "TOO_LONG"}, ""},
    {"cr_cr_lf", {}, "A\r\r\n", {"L:A\r"}, ""},
};

TEST(net_line_splitter, feed_whole) {
  for (auto const& c : cases) {
    EXPECT_EQ(feed_in_chunks(c.limits, c.input, {}), c.expected) << c.name;
  }
}

TEST(net_line_splitter, byte_by_byte) {
  for (auto const& c : cases) {
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < c.input.size(); ++i) cuts.push_back(i);
    EXPECT_EQ(feed_in_chunks(c.limits, c.input, cuts), c.expected) << c.name;
  }
}

TEST(net_line_splitter, every_split_point) {
  for (auto const& c : cases) {
    for (std::size_t i = 0; i <= c.input.size(); ++i) {
      EXPECT_EQ(feed_in_chunks(c.limits, c.input, {i}), c.expected) << c.name << " split at " << i;
    }
  }
}

TEST(net_line_splitter, every_pair_of_split_points) {
  for (auto const& c : cases) {
    for (std::size_t i = 0; i <= c.input.size(); ++i)
      for (std::size_t j = i; j <= c.input.size(); ++j)
        EXPECT_EQ(feed_in_chunks(c.limits, c.input, {i, j}), c.expected) << c.name << " " << i << "," << j;
  }
}

TEST(net_line_splitter, rest_is_buffered) {
  for (auto const& c : cases) {
    line_splitter s(c.limits);
    s.feed(c.input);
    events ignored;
    drain(s, ignored);
    EXPECT_EQ(s.buffered(), c.rest) << c.name;
  }
}

TEST(net_line_splitter, memory_stays_bounded_while_discarding) {
  line_splitter s({16, false});
  for (int i = 0; i < 10000; ++i) {
    s.feed("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    EXPECT_EQ(s.next().what, line_splitter::status::need_more);
    ASSERT_LE(s.bytes_held(), 17u);
  }
  EXPECT_TRUE(s.is_discarding());
  s.feed("\r\nNOOP\r\n");
  EXPECT_EQ(s.next().what, line_splitter::status::too_long);
  auto o = s.next();
  EXPECT_EQ(o.what, line_splitter::status::line);
  EXPECT_EQ(o.line, "NOOP");
}

TEST(net_line_splitter, take_buffered_after_command) {
  // A BDAT-style command followed in the same packet by its payload.
  line_splitter s;
  s.feed("BDAT 5 LAST\r\nhello");
  auto o = s.next();
  ASSERT_EQ(o.what, line_splitter::status::line);
  EXPECT_EQ(o.line, "BDAT 5 LAST");
  EXPECT_EQ(s.take_buffered(), "hello");
  EXPECT_EQ(s.buffered(), "");
  EXPECT_EQ(s.next().what, line_splitter::status::need_more);
}

TEST(net_line_splitter, consume_part_of_buffer) {
  line_splitter s;
  s.feed("abcXY\r\n");
  s.consume(3);
  auto o = s.next();
  ASSERT_EQ(o.what, line_splitter::status::line);
  EXPECT_EQ(o.line, "XY");
}

TEST(net_line_splitter, clear_drops_pipelined_plaintext) {
  // SECURITY: STARTTLS followed by an injected command in the same packet.
  line_splitter s;
  s.feed("STARTTLS\r\nRCPT TO:<evil@example.org>\r\n");
  auto o = s.next();
  ASSERT_EQ(o.what, line_splitter::status::line);
  EXPECT_EQ(o.line, "STARTTLS");
  EXPECT_EQ(s.clear(), std::string_view("RCPT TO:<evil@example.org>\r\n").size());
  EXPECT_EQ(s.next().what, line_splitter::status::need_more);
  s.feed("EHLO x\r\n");
  EXPECT_EQ(s.next().line, "EHLO x");
}

TEST(net_line_splitter, clear_ends_discarding) {
  line_splitter s({4, false});
  s.feed("abcdefgh");
  EXPECT_EQ(s.next().what, line_splitter::status::need_more);
  EXPECT_TRUE(s.is_discarding());
  s.clear();
  s.feed("ok\r\n");
  EXPECT_EQ(s.next().line, "ok");
}

TEST(net_line_splitter, prepare_commit_partial) {
  line_splitter s;
  auto space = s.prepare(64);
  ASSERT_EQ(space.size(), 64u);
  std::string_view const data = "PING\r\n";
  std::copy(data.begin(), data.end(), space.begin());
  s.commit(data.size());
  EXPECT_EQ(s.next().line, "PING");
  EXPECT_EQ(s.buffered(), "");
}

}  // namespace
}  // namespace posta::net
