// Tags, command names and the connection-level commands: CAPABILITY, NOOP,
// LOGOUT, STARTTLS, AUTHENTICATE with SASL-IR, LOGIN, ENABLE, ID, COMPRESS,
// the QUOTA commands and the argument-less commands (RFC 3501 6.1-6.2, 6.4;
// RFC 4959, 5161, 2971, 4978, 9208).
#include "imap_parse_test_util.hpp"

namespace posta::mail::imap::proto {
namespace {

using namespace test;  // parse_as, bad, expect_all_bad

TEST(ImapGrammarSession, SimpleCommands) {
  struct row {
    std::string_view text;
    simple_verb verb;
  } rows[] = {
      {"a CAPABILITY", simple_verb::capability}, {"a noop", simple_verb::noop},       {"a LOGOUT", simple_verb::logout},
      {"a StartTLS", simple_verb::starttls},     {"a CHECK", simple_verb::check},     {"a CLOSE", simple_verb::close},
      {"a UNSELECT", simple_verb::unselect},     {"a EXPUNGE", simple_verb::expunge}, {"a IDLE", simple_verb::idle},
      {"a NAMESPACE", simple_verb::namespace_},
  };
  for (auto const& r : rows) EXPECT_EQ(parse_as<simple_cmd>(r.text).verb, r.verb) << r.text;
  expect_all_bad({"a NOOP x", "a NOOP ", "a CAPABILITY(", "a IDLE DONE"});
}

TEST(ImapGrammarSession, TagsAndVerbs) {
  auto p = parse_command("A0001.x] uid fetch 1 UID");
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p.tag, "A0001.x]");
  EXPECT_EQ(p.verb, "UID FETCH");
  auto q = parse_command("+a NOOP");
  EXPECT_FALSE(q.ok());
  EXPECT_EQ(q.tag, "");
  EXPECT_EQ(parse_command("").tag, "");
  EXPECT_EQ(parse_command("a").tag, "");
  EXPECT_EQ(parse_command("a{ NOOP").tag, "");
  auto unknown = parse_command("t1 FROBNICATE now");
  EXPECT_EQ(unknown.tag, "t1");
  EXPECT_EQ(unknown.error(), "unknown command FROBNICATE");
  EXPECT_EQ(bad("t1 UID"), "UID: expected COPY, MOVE, FETCH, SEARCH, SORT, THREAD, STORE or EXPUNGE");
  EXPECT_EQ(bad("t1 UID NOOP"), "unknown command UID NOOP");
  expect_all_bad({"a  NOOP", " a NOOP", "a\tNOOP", "a NOOP\r\n"});
}

TEST(ImapGrammarSession, ErrorTextSaysWhatWasExpectedWhere) {
  EXPECT_EQ(bad("a LOGIN joe"), "LOGIN: expected SP at end of command");
  EXPECT_EQ(bad("a SELECT INBOX (FOO)"), "SELECT: expected select parameter (CONDSTORE, QRESYNC) at \"FOO)\"");
  EXPECT_EQ(bad("a FETCH 1 (FLAGS BOGUS)"), "FETCH: expected fetch attribute at \"BOGUS)\"");
  // Client bytes are echoed as printable ASCII only.
  EXPECT_EQ(bad("a FETCH 1 (\x01\xff)"),
            "FETCH: expected fetch attribute at \"?"
            "?)\"");
}

TEST(ImapGrammarSession, Authenticate) {
  auto a = parse_as<authenticate_cmd>("a AUTHENTICATE plain");
  EXPECT_EQ(a.mechanism, "PLAIN");
  EXPECT_FALSE(a.initial_response);
  auto ir = parse_as<authenticate_cmd>("a AUTHENTICATE PLAIN AGpvZQBzZWNyZXQ=");
  EXPECT_EQ(ir.initial_response, "AGpvZQBzZWNyZXQ=");
  EXPECT_EQ(parse_as<authenticate_cmd>("a AUTHENTICATE SCRAM-SHA-256 =").initial_response, "");
  expect_all_bad({"a AUTHENTICATE", "a AUTHENTICATE ", "a AUTHENTICATE PLAIN ", "a AUTHENTICATE PLAIN ab!c",
                  "a AUTHENTICATE PLAIN abc def"});
}

TEST(ImapGrammarSession, Login) {
  auto l = parse_as<login_cmd>("a LOGIN joe@example.com \"p\\\"w \\\\d\"");
  EXPECT_EQ(l.user, "joe@example.com");
  EXPECT_EQ(l.password, "p\"w \\d");
  auto lit = parse_as<login_cmd>("a LOGIN {3}\r\njoe {5}\r\na b\"c");
  EXPECT_EQ(lit.user, "joe");
  EXPECT_EQ(lit.password, "a b\"c");
  EXPECT_EQ(parse_as<login_cmd>("a LOGIN {3+}\r\njoe \"\"").password, "");
  expect_all_bad({"a LOGIN", "a LOGIN joe", "a LOGIN joe pw extra", "a LOGIN \"joe pw", "a LOGIN joe \"a\\b\"",
                  "a LOGIN {4}\r\njoe pw", "a LOGIN joe \"p\rw\"", "a LOGIN joe \"pw\r\"", "a LOGIN joe \"pw\\\"",
                  "a LOGIN joe (pw)", "a LOGIN joe {x}\r\npw"});
}

TEST(ImapGrammarSession, LoginLiteralMayHoldNulOnlyAsLiteral8Elsewhere) {
  static constexpr char raw[] = "a LOGIN {3}\r\nj\0e pw";
  std::string text(raw, sizeof raw - 1);
  EXPECT_FALSE(parse_command(text).ok());
}

TEST(ImapGrammarSession, Enable) {
  EXPECT_EQ(parse_as<enable_cmd>("a ENABLE condstore UTF8=ACCEPT").capabilities,
            (std::vector<std::string>{"CONDSTORE", "UTF8=ACCEPT"}));
  expect_all_bad({"a ENABLE", "a ENABLE ", "a ENABLE (X)"});
}

TEST(ImapGrammarSession, Id) {
  EXPECT_TRUE(parse_as<id_cmd>("a ID NIL").params.empty());
  auto id = parse_as<id_cmd>("a ID (\"name\" \"Thunderbird\" \"version\" NIL)");
  ASSERT_EQ(id.params.size(), 2u);
  EXPECT_EQ(id.params[0], (std::pair<std::string, std::optional<std::string>>{"name", "Thunderbird"}));
  EXPECT_FALSE(id.params[1].second);
  EXPECT_TRUE(parse_as<id_cmd>("a ID ()").params.empty());
  expect_all_bad({"a ID", "a ID (\"name\")", "a ID (name \"x\")", "a ID (\"a\" \"b\" \"c\")", "a ID nil x"});
}

TEST(ImapGrammarSession, CompressAndQuota) {
  EXPECT_EQ(parse_as<compress_cmd>("a COMPRESS deflate").mechanism, "DEFLATE");
  EXPECT_EQ(parse_as<getquota_cmd>("a GETQUOTA \"\"").root, "");
  auto gqr = parse_as<mailbox_cmd>("a GETQUOTAROOT inbox");
  EXPECT_EQ(gqr.verb, mailbox_verb::getquotaroot);
  EXPECT_EQ(gqr.mailbox, "INBOX");
  auto sq = parse_as<setquota_cmd>("a SETQUOTA \"\" (STORAGE 512 message 1000)");
  EXPECT_EQ(sq.limits, (std::vector<std::pair<std::string, std::uint64_t>>{{"STORAGE", 512}, {"MESSAGE", 1000}}));
  EXPECT_TRUE(parse_as<setquota_cmd>("a SETQUOTA root ()").limits.empty());
  expect_all_bad({"a COMPRESS", "a GETQUOTA", "a SETQUOTA root", "a SETQUOTA root (STORAGE)",
                  "a SETQUOTA root (STORAGE -1)", "a SETQUOTA root STORAGE 1"});
}

}  // namespace
}  // namespace posta::mail::imap::proto
