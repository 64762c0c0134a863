// Command states (RFC 3501 6, RFC 9051 6), when expunges may be announced
// (RFC 3501 7.4.1) and LIST patterns (RFC 3501 6.3.8).
#include "mail/imap/proto/command_rules.hpp"
#include "mail/imap/proto/list_match.hpp"
#include "mail/imap/proto/parse_command.hpp"

#include <gtest/gtest.h>

namespace posta::mail::imap::proto {
namespace {

command cmd(std::string_view text) {
  auto p = parse_command(text);
  EXPECT_TRUE(p.ok()) << text;
  return p.ok() ? p.cmd() : command{simple_cmd{}};
}

TEST(ImapCommandRules, States) {
  using st = session_state;
  struct row {
    std::string_view text;
    bool not_auth, auth, selected;
  } rows[] = {
      {"a CAPABILITY", true, true, true},
      {"a NOOP", true, true, true},
      {"a LOGOUT", true, true, true},
      {"a ID NIL", true, true, true},
      {"a STARTTLS", true, false, false},
      {"a LOGIN u p", true, false, false},
      {"a AUTHENTICATE PLAIN", true, false, false},
      {"a ENABLE CONDSTORE", false, true, false},
      {"a SELECT INBOX", false, true, true},
      {"a LIST \"\" *", false, true, true},
      {"a APPEND x {1}\r\nx", false, true, true},
      {"a IDLE", false, true, true},
      {"a NAMESPACE", false, true, true},
      {"a GETQUOTAROOT INBOX", false, true, true},
      {"a FETCH 1 FLAGS", false, false, true},
      {"a UID EXPUNGE 1", false, false, true},
      {"a CLOSE", false, false, true},
      {"a UNSELECT", false, false, true},
      {"a EXPUNGE", false, false, true},
      {"a SEARCH ALL", false, false, true},
      {"a MOVE 1 x", false, false, true},
      {"a THREAD REFERENCES UTF-8 ALL", false, false, true},
  };
  for (auto const& r : rows) {
    auto c = cmd(r.text);
    EXPECT_EQ(is_allowed_in(c, st::not_authenticated), r.not_auth) << r.text;
    EXPECT_EQ(is_allowed_in(c, st::authenticated), r.auth) << r.text;
    EXPECT_EQ(is_allowed_in(c, st::selected), r.selected) << r.text;
    EXPECT_FALSE(is_allowed_in(c, st::logout)) << r.text;
  }
}

TEST(ImapCommandRules, ExpungesAreHeldDuringSequenceNumberCommands) {
  for (std::string_view held : {"a FETCH 1 FLAGS", "a STORE 1 +FLAGS \\Seen", "a SEARCH ALL", "a SORT (DATE) UTF-8 ALL",
                                "a THREAD REFERENCES UTF-8 ALL", "a COPY 1 x", "a MOVE 1 x"})
    EXPECT_FALSE(may_announce_expunges(cmd(held))) << held;
  for (std::string_view ok : {"a UID FETCH 1 FLAGS", "a UID STORE 1 +FLAGS \\Seen", "a UID SEARCH ALL", "a NOOP",
                              "a UID COPY 1 x", "a UID MOVE 1 x", "a EXPUNGE", "a UID SORT (DATE) UTF-8 ALL"})
    EXPECT_TRUE(may_announce_expunges(cmd(ok))) << ok;
}

TEST(ImapListMatch, JoinsReferenceAndPattern) {
  EXPECT_EQ(list_pattern("", "*", '/'), "*");
  EXPECT_EQ(list_pattern("Archive/", "%", '/'), "Archive/%");
  EXPECT_EQ(list_pattern("Archive/", "/Sent", '/'), "/Sent");
  EXPECT_EQ(list_pattern("", "inbox", '/'), "INBOX");
  EXPECT_EQ(list_pattern("inBox/", "%", '/'), "INBOX/%");
  EXPECT_EQ(list_pattern("", "inboxes", '/'), "inboxes");
}

TEST(ImapListMatch, Wildcards) {
  struct row {
    std::string_view pattern, name;
    bool match;
  } rows[] = {
      {"*", "INBOX", true},    {"*", "a/b/c", true},     {"%", "a", true},
      {"%", "a/b", false},     {"%/%", "a/b", true},     {"a/*", "a/b/c", true},
      {"a/%", "a/b/c", false}, {"INBOX", "INBOX", true}, {"INBOX", "INBOX/x", false},
      {"S*t", "Sent", true},   {"S%t", "S/t", false},    {"", "", true},
      {"", "a", false},        {"a*b*c", "aXbYc", true}, {"a*b*c", "aXbY", false},
      {"%%%", "abc", true},    {"*/", "a/", true},       {"Sent", "sent", false},
  };
  for (auto const& r : rows) EXPECT_EQ(list_matches(r.pattern, r.name, '/'), r.match) << r.pattern << " " << r.name;
}

TEST(ImapListMatch, ManyWildcardsStayCheap) {
  // SECURITY: a backtracking matcher takes exponential time here.
  std::string pattern;
  for (int i = 0; i < 2000; ++i) pattern += "*%";
  pattern += "z";
  std::string name(200, 'a');
  EXPECT_FALSE(list_matches(pattern, name, '/'));
  EXPECT_TRUE(list_matches(pattern, name + "z", '/'));
}

}  // namespace
}  // namespace posta::mail::imap::proto
