// Tests for the CRLF normaliser used on BDAT chunks (RFC 5321 2.3.8, RFC 3030 2).
#include "mail/smtp/proto/crlf_normaliser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace posta::mail::smtp::proto {
namespace {

std::string run(std::vector<std::string_view> const& chunks) {
  std::string out;
  crlf_normaliser n([&](std::string_view p) {
    EXPECT_FALSE(p.empty());
    out.append(p);
  });
  for (auto c : chunks) n.feed(c);
  n.finish();
  EXPECT_EQ(n.octets(), out.size());
  return out;
}

struct norm_case {
  std::string_view in;
  std::string_view out;
};

constexpr norm_case cases[] = {
    {"", ""},
    {"abc", "abc"},
    {"a\r\nb", "a\r\nb"},
    {"a\nb", "a\r\nb"},
    {"a\rb", "a\r\nb"},
    {"a\r\r\nb", "a\r\n\r\nb"},
    {"a\n\rb", "a\r\n\r\nb"},
    {"a\r", "a\r\n"},
    {"\r\n\r\n", "\r\n\r\n"},
    {"\n\n\r\r", "\r\n\r\n\r\n\r\n"},
    {".\r\n..\n", ".\r\n..\r\n"},  // verbatim otherwise: no dot handling
};

TEST(SmtpCrlfNormaliser, WholeByteByByteAndEverySplit) {
  for (auto const& c : cases) {
    EXPECT_EQ(run({c.in}), c.out) << testing::PrintToString(c.in);
    EXPECT_EQ(normalise_line_endings(c.in), c.out);
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < c.in.size(); ++i) bytes.push_back(c.in.substr(i, 1));
    EXPECT_EQ(run(bytes), c.out) << testing::PrintToString(c.in);
    for (std::size_t i = 0; i <= c.in.size(); ++i)
      for (std::size_t j = i; j <= c.in.size(); ++j)
        EXPECT_EQ(run({c.in.substr(0, i), c.in.substr(i, j - i), c.in.substr(j)}), c.out)
            << testing::PrintToString(c.in) << " split at " << i << "," << j;
  }
}

TEST(SmtpCrlfNormaliser, TrailingCrWaitsForTheNextChunk) {
  std::string out;
  crlf_normaliser n([&](std::string_view p) { out.append(p); });
  n.feed("a\r");
  EXPECT_EQ(out, "a");
  n.feed("");
  EXPECT_EQ(out, "a");
  n.feed("\nb");
  EXPECT_EQ(out, "a\r\nb");
}

// The flag the session refuses on: set for a bare CR or LF whatever the
// split, never for CRLF split between two chunks (RFC 3030: one stream).
TEST(SmtpCrlfNormaliser, BareLineEndIsReportedAtEverySplit) {
  struct flag_case {
    std::string_view in;
    bool bare;
  };
  constexpr flag_case flags[] = {
      {"X\r\n.\r\nY\r\n", false}, {"a\nb", true},   {"a\rb", true},
      {"a\r", true},              {"\n", true},        {"a\r\r\n", true}, {"", false},
  };
  for (auto const& c : flags)
    for (std::size_t i = 0; i <= c.in.size(); ++i) {
      crlf_normaliser n([](std::string_view) {});
      n.feed(c.in.substr(0, i));
      n.feed(c.in.substr(i));
      n.finish();
      EXPECT_EQ(n.has_bare_line_end(), c.bare) << testing::PrintToString(c.in) << " split at " << i;
    }
}

// The issue's BDAT chunks: "X\r" | "\n.\r" | "\nY\r\n" is one CRLF stream.
TEST(SmtpCrlfNormaliser, IssueChunksAreOneStream) {
  std::string out;
  crlf_normaliser n([&](std::string_view p) { out.append(p); });
  for (std::string_view chunk : {"Subject: t\r\n\r\nX\r", "\n.\r", "\nY\r\n"}) n.feed(chunk);
  n.finish();
  EXPECT_EQ(out, "Subject: t\r\n\r\nX\r\n.\r\nY\r\n");
  EXPECT_FALSE(n.has_bare_line_end());
}

}  // namespace
}  // namespace posta::mail::smtp::proto
