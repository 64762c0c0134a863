// Tests for the DATA decoder (RFC 5321 4.1.1.4, 4.5.2): dot-unstuffing, line
// ending normalisation, the terminator, the size bound, and the octets left
// for the command parser — fed whole, byte by byte and split at every point.
#include "mail/smtp/proto/data_decoder.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace posta::mail::smtp::proto {
namespace {

using namespace std::string_literals;

struct outcome {
  std::string message;  // what reached the sink
  std::string rest;     // input not consumed (pipelined commands)
  bool done = false;
  bool oversize = false;
  std::uint64_t octets = 0;
  friend bool operator==(outcome const&, outcome const&) = default;
};

std::ostream& operator<<(std::ostream& os, outcome const& o) {
  return os << "{message=" << testing::PrintToString(o.message)
            << " rest=" << testing::PrintToString(o.rest) << " done=" << o.done
            << " oversize=" << o.oversize << " octets=" << o.octets << "}";
}

outcome run(std::vector<std::string_view> const& chunks, std::uint64_t max = UINT64_MAX) {
  outcome o;
  data_decoder d(max, [&](std::string_view piece) {
    EXPECT_FALSE(piece.empty());
    o.message.append(piece);
  });
  std::uint64_t raw = 0;
  for (std::string_view chunk : chunks) {
    if (d.is_done()) {
      o.rest.append(chunk);
      continue;
    }
    auto p = d.feed(chunk);
    raw += p.consumed;
    EXPECT_EQ(p.done, d.is_done());
    if (!p.done) {
      EXPECT_EQ(p.consumed, chunk.size());
    }
    o.rest.append(chunk.substr(p.consumed));
  }
  EXPECT_EQ(raw, d.raw_octets());
  o.done = d.is_done();
  o.oversize = d.is_oversize();
  o.octets = d.octets();
  return o;
}

outcome bytewise(std::string_view in, std::uint64_t max = UINT64_MAX) {
  std::vector<std::string_view> chunks;
  for (std::size_t i = 0; i < in.size(); ++i) chunks.push_back(in.substr(i, 1));
  return run(chunks, max);
}

// A plain reading of the rules, to check the incremental decoder against.
outcome reference(std::string_view s, std::uint64_t max = UINT64_MAX) {
  outcome o;
  std::string out;
  std::size_t i = 0;
  bool line_start = true;
  while (i < s.size()) {
    if (line_start && s.substr(i, 3) == ".\r\n") {
      o.done = true;
      i += 3;
      break;
    }
    if (line_start && s[i] == '.') {
      line_start = false;
      ++i;
      continue;
    }
    line_start = false;
    if (s[i] == '\r' && i + 1 == s.size()) break;  // may be followed by LF later
    if (s[i] == '\r' && s[i + 1] == '\n') {
      out += "\r\n";
      i += 2;
      line_start = true;
    } else if (s[i] == '\r' || s[i] == '\n') {
      out += "\r\n";
      ++i;
    } else {
      out += s[i++];
    }
  }
  o.octets = out.size();
  o.oversize = out.size() > max;
  o.message = out.substr(0, std::min<std::uint64_t>(max, out.size()));
  o.rest = std::string(s.substr(i));
  if (!o.done && i < s.size()) o.rest.clear();  // only a trailing CR is left, held inside
  return o;
}

struct decode_case {
  std::string in;
  std::string message;
  std::string rest;
  bool done;
};

std::vector<decode_case> cases() {
  return {
      {".\r\n", "", "", true},                                  // empty message
      {".\r\nQUIT\r\n", "", "QUIT\r\n", true},
      {"\r\n.\r\n", "\r\n", "", true},
      {"Hello\r\n.\r\n", "Hello\r\n", "", true},
      {"Subject: x\r\n\r\nbody\r\n.\r\nMAIL FROM:<a@b>\r\n", "Subject: x\r\n\r\nbody\r\n",
       "MAIL FROM:<a@b>\r\n", true},
      {"..\r\n.\r\n", ".\r\n", "", true},                       // first line "."
      {"..hidden\r\n...\r\n.\r\n", ".hidden\r\n..\r\n", "", true},
      {"a.b\r\n.x\r\n.\r\n", "a.b\r\nx\r\n", "", true},
      {"a\nb\r\n.\r\n", "a\r\nb\r\n", "", true},                // bare LF normalised
      {"a\rb\r\n.\r\n", "a\r\nb\r\n", "", true},                // bare CR normalised
      {"a\r\r\n.\r\n", "a\r\n\r\n", "", true},
      {"a\n\r\n.\r\n", "a\r\n\r\n", "", true},
      {"a\0b\r\n.\r\n"s, "a\0b\r\n"s, "", true},
      {"x\r\n.\r\r\n.\r\n", "x\r\n\r\n\r\n", "", true},          // ".<CR><CR><LF>" is content
      {"x\r\n.x\r\n.\r\n", "x\r\nx\r\n", "", true},
      // SECURITY: no terminator but CRLF "." CRLF (SMTP smuggling).
      {"x\n.\nMAIL FROM:<evil@x>\n", "x\r\n.\r\nMAIL FROM:<evil@x>\r\n", "", false},
      {"x\n.\r\nRCPT TO:<a@b>\r\n", "x\r\n.\r\nRCPT TO:<a@b>\r\n", "", false},
      {"x\r\n.\nDATA\r\n", "x\r\n\r\nDATA\r\n", "", false},
      {"x\r.\r\nQUIT\r\n", "x\r\n.\r\nQUIT\r\n", "", false},
      {"x\r\n.\r", "x\r\n", "", false},
      {"x\r\n.", "x\r\n", "", false},
      {"x\r", "x", "", false},
      {"", "", "", false},
  };
}

TEST(SmtpDataDecoder, WholeByteByByteAndReference) {
  for (auto const& c : cases()) {
    outcome w = run({c.in});
    EXPECT_EQ(w.message, c.message) << testing::PrintToString(c.in);
    EXPECT_EQ(w.rest, c.rest) << testing::PrintToString(c.in);
    EXPECT_EQ(w.done, c.done) << testing::PrintToString(c.in);
    EXPECT_EQ(w.octets, c.message.size());
    EXPECT_EQ(bytewise(c.in), w) << testing::PrintToString(c.in);
    EXPECT_EQ(reference(c.in), w) << testing::PrintToString(c.in);
  }
}

TEST(SmtpDataDecoder, EverySplitPoint) {
  for (auto const& c : cases()) {
    outcome w = run({c.in});
    std::string_view in = c.in;
    for (std::size_t i = 0; i <= in.size(); ++i)
      for (std::size_t j = i; j <= in.size(); ++j)
        EXPECT_EQ(run({in.substr(0, i), in.substr(i, j - i), in.substr(j)}), w)
            << testing::PrintToString(c.in) << " split at " << i << "," << j;
  }
}

TEST(SmtpDataDecoder, SizeBoundKeepsScanningForTheEnd) {
  std::string in = "0123456789\r\n..x\r\n.\r\nNOOP\r\n";
  outcome expected{"01234", "NOOP\r\n", true, true, 16};
  EXPECT_EQ(run({in}, 5), expected);
  EXPECT_EQ(bytewise(in, 5), expected);
  for (std::size_t i = 0; i <= in.size(); ++i)
    EXPECT_EQ(run({std::string_view(in).substr(0, i), std::string_view(in).substr(i)}, 5), expected);
  // Exactly at the bound is not over it.
  outcome fits = run({"0123\r\n.\r\n"}, 6);
  EXPECT_FALSE(fits.oversize);
  EXPECT_EQ(fits.message, "0123\r\n");
  EXPECT_TRUE(run({"01234\r\n.\r\n"}, 6).oversize);
  outcome zero = run({".\r\n"}, 0);
  EXPECT_FALSE(zero.oversize);
  EXPECT_TRUE(zero.done);
}

TEST(SmtpDataDecoder, LargeMessageStreamsWithoutBuffering) {
  std::string line = std::string(998, 'a') + "\r\n";
  std::uint64_t written = 0;
  std::size_t calls = 0;
  data_decoder d(UINT64_MAX, [&](std::string_view p) {
    written += p.size();
    ++calls;
  });
  for (int i = 0; i < 1000; ++i) ASSERT_FALSE(d.feed(line).done);
  auto p = d.feed(".\r\n");
  EXPECT_TRUE(p.done);
  EXPECT_EQ(written, 1000u * 1000u);
  EXPECT_EQ(d.octets(), written);
  EXPECT_LE(calls, 2000u);  // one piece per run of text, one per line end
}

TEST(SmtpDataDecoder, MatchesReferenceOnRandomInput) {
  std::mt19937 rng(5321);
  std::string const alphabet = ".\r\na";
  for (int round = 0; round < 3000; ++round) {
    std::string in;
    std::size_t len = rng() % 24;
    for (std::size_t i = 0; i < len; ++i) in.push_back(alphabet[rng() % alphabet.size()]);
    std::uint64_t max = rng() % 2 ? UINT64_MAX : rng() % 8;
    outcome w = run({in}, max);
    ASSERT_EQ(reference(in, max), w) << testing::PrintToString(in) << " max " << max;
    std::size_t cut = len ? rng() % len : 0;
    ASSERT_EQ(run({std::string_view(in).substr(0, cut), std::string_view(in).substr(cut)}, max), w);
  }
}

TEST(SmtpDataDecoder, NothingMoreIsReadAfterTheEnd) {
  data_decoder d;
  EXPECT_EQ(d.feed(".\r\n").consumed, 3u);
  auto p = d.feed("MAIL FROM:<a@b>\r\n");
  EXPECT_TRUE(p.done);
  EXPECT_EQ(p.consumed, 0u);
  EXPECT_EQ(d.raw_octets(), 3u);
}

// The flag the session refuses on (bare CR / LF), whatever the split; the
// issue's "\r\n.\n" is not an end of data and is reported bare.
TEST(SmtpDataDecoder, BareLineEndIsReportedAtEverySplit) {
  struct flag_case {
    std::string_view in;
    bool bare;
  };
  constexpr flag_case flags[] = {
      {"a\r\n..\r\nb\r\n.\r\n", false}, {"X\r\n.\nY\r\n.\r\n", true}, {"a\nb\r\n.\r\n", true},
      {"a\rb\r\n.\r\n", true},          {".\rx\r\n.\r\n", true},      {"X\n.\r\nY\r\n.\r\n", true},
  };
  for (auto const& c : flags)
    for (std::size_t i = 0; i <= c.in.size(); ++i) {
      data_decoder d;
      auto first = d.feed(c.in.substr(0, i));
      if (!first.done) d.feed(c.in.substr(i));
      EXPECT_TRUE(d.is_done()) << testing::PrintToString(c.in);
      EXPECT_EQ(d.has_bare_line_end(), c.bare) << testing::PrintToString(c.in) << " split at " << i;
    }
}

}  // namespace
}  // namespace posta::mail::smtp::proto
