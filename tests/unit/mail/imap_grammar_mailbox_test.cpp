// Mailbox commands: SELECT/EXAMINE with CONDSTORE and QRESYNC, CREATE with
// USE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, STATUS, LIST (LIST-EXTENDED,
// LIST-STATUS, SPECIAL-USE), LSUB and APPEND (MULTIAPPEND, literal8), with
// mailbox names in modified UTF-7 or UTF-8 (RFC 3501 5.1, 6.3; RFC 7162,
// 6154, 5258, 5819, 3502, 3516, 6855).
#include "imap_parse_test_util.hpp"

namespace posta::mail::imap::proto {
namespace {

using namespace test;  // parse_as, bad, expect_all_bad

TEST(ImapGrammarMailbox, SelectAndExamine) {
  auto s = parse_as<select_cmd>("a SELECT inbox");
  EXPECT_EQ(s.mailbox, "INBOX");
  EXPECT_FALSE(s.examine);
  EXPECT_TRUE(parse_as<select_cmd>("a EXAMINE \"Sent\"").examine);
  EXPECT_TRUE(parse_as<select_cmd>("a SELECT INBOX (CONDSTORE)").condstore);
  auto q = parse_as<select_cmd>("a SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))");
  ASSERT_TRUE(q.qresync);
  EXPECT_EQ(q.qresync->uidvalidity, 67890007u);
  EXPECT_EQ(q.qresync->modseq, 20050715194045000u);
  ASSERT_TRUE(q.qresync->known_uids);
  EXPECT_EQ(q.qresync->known_uids->ranges.size(), 3u);
  EXPECT_FALSE(q.qresync->seq_match);
  auto m = parse_as<select_cmd>("a SELECT INBOX (QRESYNC (1 2 1:9 (1,5 3,20)))");
  ASSERT_TRUE(m.qresync && m.qresync->seq_match);
  EXPECT_EQ(m.qresync->seq_match->second.ranges, (std::vector<seq_range>{{3, 3}, {20, 20}}));
  auto only_match = parse_as<select_cmd>("a SELECT INBOX (QRESYNC (1 2 (1 3)) CONDSTORE)");
  ASSERT_TRUE(only_match.qresync);
  EXPECT_FALSE(only_match.qresync->known_uids);
  EXPECT_TRUE(only_match.qresync->seq_match);
  EXPECT_TRUE(only_match.condstore);
  EXPECT_TRUE(parse_as<select_cmd>("a SELECT INBOX (QRESYNC (1 2))").qresync);
  expect_all_bad({"a SELECT", "a SELECT ", "a SELECT INBOX ()", "a SELECT INBOX (QRESYNC)",
                  "a SELECT INBOX (QRESYNC (0 2))", "a SELECT INBOX (QRESYNC (1))", "a SELECT INBOX (QRESYNC (1 2 x))",
                  "a SELECT INBOX (QRESYNC (1 2 1:9 (1)))", "a SELECT INBOX (CONDSTORE", "a SELECT INBOX x",
                  "a SELECT (INBOX)"});
}

TEST(ImapGrammarMailbox, CreateWithSpecialUse) {
  EXPECT_EQ(parse_as<create_cmd>("a CREATE Archive/2026").mailbox, "Archive/2026");
  auto c = parse_as<create_cmd>("a CREATE MySent (USE (\\sent \\Archive))");
  EXPECT_EQ(c.special_use, (std::vector<std::string>{"\\sent", "\\Archive"}));
  EXPECT_TRUE(parse_as<create_cmd>("a CREATE x (USE ())").special_use.empty());
  expect_all_bad(
      {"a CREATE", "a CREATE x ()", "a CREATE x (USE)", "a CREATE x (USE \\Sent)", "a CREATE x (FOO (\\Sent))"});
}

TEST(ImapGrammarMailbox, DeleteRenameSubscribe) {
  auto d = parse_as<mailbox_cmd>("a DELETE \"Old stuff\"");
  EXPECT_EQ(d.verb, mailbox_verb::delete_);
  EXPECT_EQ(d.mailbox, "Old stuff");
  EXPECT_EQ(parse_as<mailbox_cmd>("a SUBSCRIBE x").verb, mailbox_verb::subscribe);
  EXPECT_EQ(parse_as<mailbox_cmd>("a UNSUBSCRIBE x").verb, mailbox_verb::unsubscribe);
  auto r = parse_as<rename_cmd>("a RENAME {3}\r\nold new]");
  EXPECT_EQ(r.from, "old");
  EXPECT_EQ(r.to, "new]");
  expect_all_bad({"a DELETE", "a DELETE a b", "a RENAME a", "a RENAME a b c", "a SUBSCRIBE (x)"});
}

TEST(ImapGrammarMailbox, MailboxNamesAreDecoded) {
  EXPECT_EQ(parse_as<select_cmd>("a SELECT Entw&APw-rfe").mailbox, "Entw\xc3\xbcrfe");
  EXPECT_EQ(parse_as<select_cmd>("a SELECT \"A&-B\"").mailbox, "A&B");
  EXPECT_EQ(parse_as<select_cmd>("a SELECT iNbOx").mailbox, "INBOX");
  EXPECT_EQ(parse_as<select_cmd>("a SELECT inbox/Sub").mailbox, "inbox/Sub");  // only INBOX itself
  EXPECT_EQ(bad("a SELECT &AGE-"), "SELECT: expected mailbox name in modified UTF-7 at end of command");
  EXPECT_FALSE(parse_command("a SELECT \"Entw\xc3\xbcrfe\"").ok());  // raw UTF-8 without UTF8=ACCEPT
  parse_options utf8{.utf8_accept = true};
  EXPECT_EQ(parse_as<select_cmd>("a SELECT \"Entw\xc3\xbcrfe\"", utf8).mailbox, "Entw\xc3\xbcrfe");
  EXPECT_EQ(parse_as<select_cmd>("a SELECT A&-B", utf8).mailbox, "A&-B");
  EXPECT_FALSE(parse_command("a SELECT {2}\r\n\xc3\x28", utf8).ok());  // invalid UTF-8
}

TEST(ImapGrammarMailbox, Status) {
  auto s = parse_as<status_cmd>(
      "a STATUS blurdybloop (UIDNEXT MESSAGES uidvalidity UNSEEN DELETED SIZE RECENT HIGHESTMODSEQ APPENDLIMIT)");
  EXPECT_EQ(s.mailbox, "blurdybloop");
  EXPECT_EQ(s.items,
            (std::vector<status_item>{status_item::uidnext, status_item::messages, status_item::uidvalidity,
                                      status_item::unseen, status_item::deleted, status_item::size, status_item::recent,
                                      status_item::highestmodseq, status_item::appendlimit}));
  expect_all_bad({"a STATUS x", "a STATUS x ()", "a STATUS x (FOO)", "a STATUS x MESSAGES", "a STATUS x (MESSAGES"});
}

TEST(ImapGrammarMailbox, BasicListAndLsub) {
  auto l = parse_as<list_cmd>("a LIST \"\" *");
  EXPECT_EQ(l.reference, "");
  EXPECT_EQ(l.patterns, std::vector<std::string>{"*"});
  EXPECT_FALSE(l.is_extended());
  auto l2 = parse_as<list_cmd>("a LIST ~/Mail/ %/f]o*");
  EXPECT_EQ(l2.reference, "~/Mail/");
  EXPECT_EQ(l2.patterns, std::vector<std::string>{"%/f]o*"});
  EXPECT_EQ(parse_as<list_cmd>("a LIST \"\" Entw&APw-*").patterns, std::vector<std::string>{"Entw\xc3\xbc*"});
  auto ls = parse_as<list_cmd>("a LSUB \"#news.\" \"comp.mail.*\"");
  EXPECT_TRUE(ls.lsub);
  expect_all_bad({"a LIST", "a LIST \"\"", "a LIST * *", "a LSUB \"\" (a b)", "a LSUB (SUBSCRIBED) \"\" *",
                  "a LIST \"\" * RETURN"});
}

TEST(ImapGrammarMailbox, ExtendedList) {
  auto l = parse_as<list_cmd>(
      "a LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (INBOX \"Sent\" %) RETURN (CHILDREN STATUS (MESSAGES UNSEEN) "
      "SPECIAL-USE)");
  EXPECT_TRUE(l.select_subscribed);
  EXPECT_TRUE(l.select_recursive_match);
  EXPECT_EQ(l.patterns, (std::vector<std::string>{"INBOX", "Sent", "%"}));
  EXPECT_TRUE(l.return_children);
  EXPECT_TRUE(l.return_special_use);
  EXPECT_EQ(l.return_status, (std::vector<status_item>{status_item::messages, status_item::unseen}));
  EXPECT_TRUE(l.is_extended());
  EXPECT_TRUE(parse_as<list_cmd>("a LIST (SPECIAL-USE) \"\" *").select_special_use);
  EXPECT_TRUE(parse_as<list_cmd>("a LIST (REMOTE) \"\" *").select_remote);
  EXPECT_TRUE(parse_as<list_cmd>("a LIST () \"\" * RETURN (SUBSCRIBED)").return_subscribed);
  EXPECT_FALSE(parse_as<list_cmd>("a LIST () \"\" % RETURN ()").is_extended());
  expect_all_bad({"a LIST (RECURSIVEMATCH) \"\" *", "a LIST (BOGUS) \"\" *", "a LIST \"\" * RETURN (BOGUS)",
                  "a LIST \"\" * RETURN (STATUS ())", "a LIST \"\" * RETURN (STATUS MESSAGES)", "a LIST \"\" ()",
                  "a LIST (SUBSCRIBED)\"\" *", "a LIST \"\" * FOO (CHILDREN)"});
}

TEST(ImapGrammarMailbox, Append) {
  auto a = parse_as<append_cmd>(
      "A003 APPEND saved-messages (\\Seen $Forwarded) \" 7-Feb-1994 21:52:25 -0800\" {5}\r\nhello");
  EXPECT_EQ(a.mailbox, "saved-messages");
  ASSERT_EQ(a.messages.size(), 1u);
  EXPECT_EQ(a.messages[0].flags, (std::vector<std::string>{"\\Seen", "$Forwarded"}));
  ASSERT_TRUE(a.messages[0].internal_date);
  EXPECT_EQ(a.messages[0].internal_date->zone_minutes, -480);
  EXPECT_EQ(a.messages[0].data, "hello");
  EXPECT_FALSE(a.messages[0].binary);
  auto plain = parse_as<append_cmd>("a APPEND INBOX {0+}\r\n");
  ASSERT_EQ(plain.messages.size(), 1u);
  EXPECT_TRUE(plain.messages[0].flags.empty());
  EXPECT_FALSE(plain.messages[0].internal_date);
}

TEST(ImapGrammarMailbox, MultiAppendAndLiteral8) {
  static constexpr char raw[] =
      "a APPEND INBOX (\\Draft) {2}\r\nab ~{3}\r\nx\0y () \"01-Jan-2026 00:00:00 +0000\" {1+}\r\nz";
  auto a = parse_as<append_cmd>(std::string_view(raw, sizeof raw - 1));
  ASSERT_EQ(a.messages.size(), 3u);
  EXPECT_EQ(a.messages[0].data, "ab");
  EXPECT_EQ(a.messages[1].data, std::string("x\0y", 3));
  EXPECT_TRUE(a.messages[1].binary);
  EXPECT_TRUE(a.messages[2].internal_date);
  EXPECT_EQ(a.messages[2].data, "z");
}

TEST(ImapGrammarMailbox, AppendUtf8Data) {
  auto a = parse_as<append_cmd>("a APPEND INBOX (\\Seen) UTF8 (~{2}\r\nab)");
  ASSERT_EQ(a.messages.size(), 1u);
  EXPECT_TRUE(a.messages[0].utf8);
  EXPECT_TRUE(a.messages[0].binary);
  EXPECT_EQ(a.messages[0].data, "ab");
  expect_all_bad(
      {"a APPEND INBOX UTF8 ({2}\r\nab)", "a APPEND INBOX UTF8 (~{2}\r\nab", "a APPEND INBOX UTF8 ~{2}\r\nab"});
}

TEST(ImapGrammarMailbox, AppendRejects) {
  static constexpr char nul[] = "a APPEND INBOX {3}\r\nx\0y";
  EXPECT_FALSE(parse_command(std::string_view(nul, sizeof nul - 1)).ok());  // NUL needs literal8
  EXPECT_EQ(bad("a APPEND INBOX \"31-Feb-2026 00:00:00 +0000\" {1}\r\nx"),
            "APPEND: expected date-time such as \"17-Jul-1996 02:44:25 -0700\" at \" {1}?"
            "?x\"");
  expect_all_bad({"a APPEND", "a APPEND INBOX", "a APPEND INBOX (\\Seen)", "a APPEND INBOX \"hello\"",
                  "a APPEND INBOX (\\Recent) {1}\r\nx", "a APPEND INBOX (\\Seen) (\\Seen) {1}\r\nx",
                  "a APPEND INBOX {5}\r\nabc", "a APPEND INBOX {1}\r\nxy", "a APPEND INBOX {1}\r\nx {1}\r\n",
                  "a APPEND INBOX (\\Seen {1}\r\nx", "a APPEND INBOX (\\*) {1}\r\nx", "a APPEND INBOX {1}x"});
}

}  // namespace
}  // namespace posta::mail::imap::proto
