// Commands in the form the clients Posta serves send them (Thunderbird,
// Apple Mail, Outlook, K-9/FairEmail, mbsync, mutt, Roundcube, Python's
// imaplib), written from their documented behaviour: each must parse.
#include "imap_parse_test_util.hpp"

namespace posta::mail::imap::proto {
namespace {

TEST(ImapGrammarClients, CommandsRealClientsSend) {
  for (std::string_view text :
       {// Thunderbird
        "1 capability", "2 ID (\"name\" \"Thunderbird\" \"version\" \"115.3.1\")", "3 authenticate PLAIN",
        "4 list (subscribed) \"\" \"*\" return (special-use)", "5 getquotaroot \"INBOX\"",
        "6 select \"INBOX\" (CONDSTORE)", "7 UID fetch 1:* (FLAGS) (CHANGEDSINCE 1234)",
        "8 UID fetch 42 (UID RFC822.SIZE FLAGS BODY.PEEK[])", "9 uid store 42 +Flags (\\Seen)",
        "10 UID fetch 42 (UID RFC822.SIZE BODY.PEEK[]<0.10240>)", "11 IDLE", "12 namespace",
        // Apple Mail
        "1.1 ENABLE QRESYNC", "1.2 SELECT INBOX (QRESYNC (1696151234 5421 1:200))",
        "1.3 UID FETCH 1:* (FLAGS UID) (CHANGEDSINCE 5421 VANISHED)",
        "1.4 UID FETCH 7 (BODY.PEEK[HEADER.FIELDS (References X-Universally-Unique-Identifier)] UID)",
        // Outlook
        "A1 LIST \"\" \"*\"", "A2 STATUS \"Sent Items\" (UIDNEXT UNSEEN MESSAGES)",
        "A3 UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER])", "A4 UID SEARCH UID 1:*",
        // K-9 / FairEmail
        "9 UID SEARCH 1:* NOT DELETED", "10 UID COPY 4,7:9 \"Trash\"", "11 COMPRESS DEFLATE",
        "12 UID MOVE 5 \"Archive\"", "13 UID EXPUNGE 5",
        // mbsync
        "4 LIST \"\" \"*\"", "5 SELECT \"INBOX\"", "6 UID FETCH 1:4294967295 (UID FLAGS)",
        "7 APPEND \"INBOX\" (\\Seen) {3+}\r\nabc", "8 UID STORE 3 +FLAGS.SILENT (\\Deleted)",
        "9 UID FETCH 3 (BODY.PEEK[HEADER.FIELDS (X-TUID)])", "10 UID FETCH *:* (UID)",
        // mutt
        "a0005 UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (DATE FROM SENDER "
        "SUBJECT TO CC MESSAGE-ID REFERENCES CONTENT-TYPE CONTENT-DESCRIPTION IN-REPLY-TO REPLY-TO LINES "
        "LIST-POST X-LABEL X-ORIGINAL-TO)])",
        "a0006 LIST \"\" \"%\"", "a0007 STATUS \"Drafts\" (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)",
        // Roundcube
        "A0003 SORT (DATE) UTF-8 ALL UNDELETED", "A0004 SEARCH RETURN (COUNT) ALL UNDELETED",
        "A0005 UID FETCH 1:3 (UID RFC822.SIZE FLAGS BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (DATE FROM TO "
        "SUBJECT CONTENT-TYPE CC REPLY-TO LIST-POST DISPOSITION-NOTIFICATION-TO X-PRIORITY)])",
        "A0006 THREAD REFERENCES UTF-8 ALL", "A0007 UID FETCH 3 (BODY.PEEK[1.MIME] BODY.PEEK[1])",
        "A0008 LIST (SUBSCRIBED) \"\" \"*\" RETURN (SPECIAL-USE)",
        // Python imaplib
        "ABCD1 LOGIN joe \"s3cr3t\"", "ABCD2 SELECT INBOX", "ABCD3 SEARCH ALL",
        "ABCD4 APPEND INBOX (\\Seen) \"02-Dec-2026 01:02:03 +0000\" {5}\r\nhello", "ABCD5 STORE 1 +FLAGS (\\Deleted)",
        "ABCD6 EXPUNGE", "ABCD7 SORT (REVERSE DATE) UTF-8 ALL",
        "ABCD8 UID SEARCH CHARSET UTF-8 SUBJECT {4}\r\n\xc3\xa9t\xc3", "ABCD9 LOGOUT"}) {
    auto p = parse_command(text);
    EXPECT_TRUE(p.ok()) << text << " -> " << (p.ok() ? "" : p.error());
  }
}

}  // namespace
}  // namespace posta::mail::imap::proto
