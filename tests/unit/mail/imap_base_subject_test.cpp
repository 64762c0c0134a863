// Base subject extraction (RFC 5256 2.1): a table of the ABNF's cases, the
// reply/forward flag, hostile lengths and idempotence over generated input.
#include "mail/imap/proto/base_subject.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace posta::mail::imap::proto {
namespace {

TEST(ImapBaseSubject, Table) {
  struct c {
    std::string_view in;
    std::string_view base;
    bool reply;
  } const cases[] = {
      {"", "", false},
      {"Hello", "Hello", false},
      {"Re: Hello", "Hello", true},
      {"RE:Hello", "Hello", true},
      {"re: Re: RE: Hello", "Hello", true},
      {"Fwd: Hello", "Hello", true},
      {"Fw: Hello", "Hello", true},
      {"FWD : Hello", "Hello", true},
      {"Re[2]: Hello", "Hello", true},
      {"Re [2] : Hello", "Hello", true},
      {"[list] Re: Hello", "Hello", true},
      {"[list] Hello", "Hello", false},
      {"[a][b] [c] Hello", "Hello", false},
      {"[a] Re: [b] Fwd: Hello", "Hello", true},
      {"[list]", "[list]", false},  // (4): removing it would leave nothing
      {"[a] [b]", "[b]", false},
      {"Hello (fwd)", "Hello", true},
      {"Hello (fwd) (FWD)  ", "Hello", true},
      {"Hello(fwd)", "Hello", true},
      {"[Fwd: Re: Hello]", "Hello", true},
      {"[fwd: [list] hello (fwd)]", "hello", true},
      {"Re: [fwd: Hello]", "Hello", true},
      {"[fwd: [x]]", "[x]", true},
      {"[Fwd: Hello", "[Fwd: Hello", false},
      {"  Hello \t  world  ", "Hello world", false},
      {"Hello\r\n world", "Hello world", false},
      {"Reply: Hello", "Reply: Hello", false},
      {"Rebuild: Hello", "Rebuild: Hello", false},
      {"Fwdx: Hello", "Fwdx: Hello", false},
      {"Re:", "", true},
      {"Re: (fwd)", "", true},
      {"[unterminated Re: x", "[unterminated Re: x", false},
      {"Hello [tag]", "Hello [tag]", false},
      {"R\xc3\xa9: caf\xc3\xa9", "R\xc3\xa9: caf\xc3\xa9", false},
      {"AW: Hello", "AW: Hello", false},  // RFC 5256 knows only re/fw/fwd
  };
  for (auto const& t : cases) {
    auto b = extract_base_subject(t.in);
    EXPECT_EQ(b.text, t.base) << testing::PrintToString(std::string(t.in));
    EXPECT_EQ(b.is_reply_or_forward, t.reply) << testing::PrintToString(std::string(t.in));
  }
}

// SECURITY: thousands of prefixes or blobs cost linear time, not quadratic
// (a quadratic scan of these would take minutes under the sanitizers).
TEST(ImapBaseSubject, LongHostileSubjectsStayLinear) {
  std::string re, blobs, fwd;
  for (int i = 0; i < 200'000; ++i) re += "Re: ";
  for (int i = 0; i < 200'000; ++i) blobs += "[a]";
  for (int i = 0; i < 20'000; ++i) fwd += "[fwd: ";
  fwd += "x";
  for (int i = 0; i < 20'000; ++i) fwd += "]";
  EXPECT_EQ(extract_base_subject(re + "x").text, "x");
  EXPECT_EQ(extract_base_subject(blobs + "x").text, "x");
  EXPECT_EQ(extract_base_subject(blobs).text, "[a]");
  EXPECT_EQ(extract_base_subject(fwd).text, "x");
}

// Whatever the input, the result has nothing left to strip.
TEST(ImapBaseSubject, IsIdempotentOnGeneratedSubjects) {
  std::string_view const tokens[] = {"Re", "re", ":", " ", "\t", "[", "]", "fwd", "Fw", "(fwd)", "x", "[fwd:", "[a]"};
  std::mt19937 rng(5256);
  for (int round = 0; round < 20'000; ++round) {
    std::string s;
    for (int i = std::uniform_int_distribution<int>(0, 10)(rng); i > 0; --i)
      s += tokens[std::uniform_int_distribution<std::size_t>(0, std::size(tokens) - 1)(rng)];
    auto once = extract_base_subject(s).text;
    EXPECT_EQ(extract_base_subject(once).text, once) << testing::PrintToString(s);
    EXPECT_LE(once.size(), s.size());
  }
}

}  // namespace
}  // namespace posta::mail::imap::proto
