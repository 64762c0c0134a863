// Tests for the POP3 command parser: every verb with its arguments, case,
// spacing, numbers at their bounds and the refusals (RFC 1939 3, 5-7;
// RFC 2449 5; RFC 2595 4; RFC 5034 4).
#include "mail/pop3/proto/command.hpp"

#include <gtest/gtest.h>

namespace posta::mail::pop3::proto {
namespace {

command cmd(verb v) {
  command c;
  c.what = v;
  return c;
}
command with_message(verb v, std::uint32_t n) {
  auto c = cmd(v);
  c.message = n;
  return c;
}
command with_text(verb v, std::string text) {
  auto c = cmd(v);
  c.text = std::move(text);
  return c;
}

struct good_case {
  std::string_view line;
  command expected;
};

TEST(Pop3Command, ParsesEveryVerb) {
  command top = with_message(verb::top, 3);
  top.lines = 10;
  command top0 = with_message(verb::top, 1);
  command auth_ir = with_text(verb::auth, "PLAIN");
  auth_ir.initial_response = "AGJvYgBzZWNyZXQ=";
  command auth_empty = with_text(verb::auth, "PLAIN");
  auth_empty.initial_response = "";
  good_case const cases[] = {
      {"USER bob@example.org", with_text(verb::user, "bob@example.org")},
      {"PASS secret", with_text(verb::pass, "secret")},
      {"PASS with  spaces ", with_text(verb::pass, "with  spaces ")},
      {"STAT", cmd(verb::stat)},
      {"LIST", cmd(verb::list)},
      {"LIST 2", with_message(verb::list, 2)},
      {"RETR 1", with_message(verb::retr, 1)},
      {"DELE 4294967295", with_message(verb::dele, 4294967295u)},
      {"NOOP", cmd(verb::noop)},
      {"RSET", cmd(verb::rset)},
      {"QUIT", cmd(verb::quit)},
      {"TOP 3 10", top},
      {"TOP 1 0", top0},
      {"UIDL", cmd(verb::uidl)},
      {"UIDL 7", with_message(verb::uidl, 7)},
      {"CAPA", cmd(verb::capa)},
      {"STLS", cmd(verb::stls)},
      {"AUTH", cmd(verb::auth)},
      {"AUTH plain", with_text(verb::auth, "PLAIN")},
      {"AUTH PLAIN AGJvYgBzZWNyZXQ=", auth_ir},
      {"AUTH PLAIN =", auth_empty},
      {"stat", cmd(verb::stat)},
      {"Retr 1", with_message(verb::retr, 1)},
      {"STAT ", cmd(verb::stat)},           // COMPAT: a trailing space
      {"RETR  1", with_message(verb::retr, 1)},  // runs of spaces
      {"LIST 0", with_message(verb::list, 0)},   // syntax ok; "no such message" is the maildrop's
      {"RETR 007", with_message(verb::retr, 7)},
  };
  for (auto const& c : cases) {
    auto p = parse_command(c.line);
    ASSERT_TRUE(std::holds_alternative<command>(p)) << c.line << ": " << std::get<syntax_error>(p).text;
    EXPECT_EQ(std::get<command>(p), c.expected) << c.line;
  }
}

TEST(Pop3Command, RefusesMalformedLines) {
  struct bad_case {
    std::string_view line;
    std::string_view why;
  };
  bad_case const cases[] = {
      {"", "Unknown command"},
      {" STAT", "Unknown command"},
      {"STATS", "Unknown command"},
      {"APOP bob 0123456789abcdef", "Unknown command"},
      {"XTND", "Unknown command"},
      {"ST", "Unknown command"},
      {"RETR", "Missing argument"},
      {"RETR x", "Invalid message number"},
      {"RETR -1", "Invalid message number"},
      {"RETR +1", "Invalid message number"},
      {"RETR 4294967296", "Invalid message number"},
      {"RETR 12345678901", "Invalid message number"},
      {"RETR 1 2", "Too many arguments"},
      {"TOP 1", "Missing argument"},
      {"TOP 1 x", "Invalid line count"},
      {"STAT 1", "Too many arguments"},
      {"USER", "Missing argument"},
      {"USER a b", "Too many arguments"},
      {"PASS", "Missing password"},
      {"PASS ", "Missing password"},
      {"AUTH PLAIN a b", "Too many arguments"},
      {std::string_view("STAT\0", 5), "Invalid characters in command"},
      {"USER bob\x01", "Invalid characters in command"},
      {"NOOP\r", "Invalid characters in command"},
      {"\x7f", "Invalid characters in command"},
  };
  for (auto const& c : cases) {
    auto p = parse_command(c.line);
    ASSERT_TRUE(std::holds_alternative<syntax_error>(p)) << c.line;
    EXPECT_EQ(std::get<syntax_error>(p).text, c.why) << c.line;
  }
}

TEST(Pop3Command, KeywordOfIsUpperCaseAndAtMostFourLetters) {
  EXPECT_EQ(keyword_of("auth plain x"), "AUTH");
  EXPECT_EQ(keyword_of("Pass secret"), "PASS");
  EXPECT_EQ(keyword_of("top"), "TOP");
  EXPECT_EQ(keyword_of("toolong"), "");
  EXPECT_EQ(keyword_of(""), "");
}

}  // namespace
}  // namespace posta::mail::pop3::proto
