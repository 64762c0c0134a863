// FETCH (every attribute and macro, sections, partials, BINARY, MODSEQ,
// CHANGEDSINCE/VANISHED), STORE (UNCHANGEDSINCE), COPY/MOVE and UID EXPUNGE
// (RFC 3501 6.4.5-6.4.8, RFC 9051, RFC 3516, RFC 7162, RFC 6851, RFC 4315).
#include "imap_parse_test_util.hpp"

namespace posta::mail::imap::proto {
namespace {

using namespace test;  // parse_as, bad, expect_all_bad
using fi = fetch_item;

std::vector<fetch_item> items_of(std::string_view atts) {
  std::vector<fetch_item> out;
  for (auto const& a : parse_as<fetch_cmd>("a FETCH 1 " + std::string(atts)).atts) out.push_back(a.item);
  return out;
}

fetch_att att_of(std::string_view att) {
  auto f = parse_as<fetch_cmd>("a FETCH 1 " + std::string(att));
  EXPECT_EQ(f.atts.size(), 1u) << att;
  return f.atts.empty() ? fetch_att{} : f.atts.front();
}

TEST(ImapGrammarFetch, MacrosAndPlainAttributes) {
  EXPECT_EQ(items_of("ALL"), (std::vector<fi>{fi::flags, fi::internaldate, fi::rfc822_size, fi::envelope}));
  EXPECT_EQ(items_of("fast"), (std::vector<fi>{fi::flags, fi::internaldate, fi::rfc822_size}));
  EXPECT_EQ(items_of("FULL"), (std::vector<fi>{fi::flags, fi::internaldate, fi::rfc822_size, fi::envelope, fi::body}));
  EXPECT_EQ(items_of("(FLAGS INTERNALDATE RFC822 RFC822.HEADER RFC822.SIZE RFC822.TEXT ENVELOPE BODY BODYSTRUCTURE "
                     "UID MODSEQ)"),
            (std::vector<fi>{fi::flags, fi::internaldate, fi::rfc822, fi::rfc822_header, fi::rfc822_size,
                             fi::rfc822_text, fi::envelope, fi::body, fi::bodystructure, fi::uid, fi::modseq}));
  EXPECT_EQ(items_of("uid"), std::vector<fi>{fi::uid});
}

TEST(ImapGrammarFetch, BodySections) {
  auto whole = att_of("BODY[]");
  EXPECT_EQ(whole.item, fi::body_section);
  EXPECT_FALSE(whole.peek);
  EXPECT_TRUE(whole.section.part.empty());
  EXPECT_EQ(whole.section.text, section_text::none);
  auto peek = att_of("BODY.PEEK[HEADER]");
  EXPECT_TRUE(peek.peek);
  EXPECT_EQ(peek.section.text, section_text::header);
  auto part = att_of("body[1.2.3.MIME]");
  EXPECT_EQ(part.section.part, (std::vector<std::uint32_t>{1, 2, 3}));
  EXPECT_EQ(part.section.text, section_text::mime);
  EXPECT_EQ(att_of("BODY[4.TEXT]").section.text, section_text::text);
  EXPECT_EQ(att_of("BODY[4.2]").section.part, (std::vector<std::uint32_t>{4, 2}));
  auto fields = att_of("BODY.PEEK[HEADER.FIELDS (From \"Subject\" X-Y)]<0.2048>");
  EXPECT_EQ(fields.section.text, section_text::header);
  EXPECT_EQ(fields.header_fields, (std::vector<std::string>{"From", "Subject", "X-Y"}));
  EXPECT_FALSE(fields.header_fields_not);
  EXPECT_EQ(fields.partial, (fetch_partial{0, 2048}));
  auto not_fields = att_of("BODY[2.HEADER.FIELDS.NOT (Received)]");
  EXPECT_TRUE(not_fields.header_fields_not);
  EXPECT_EQ(not_fields.section.part, std::vector<std::uint32_t>{2});
  EXPECT_EQ(att_of("BODY[]<100.1>").partial, (fetch_partial{100, 1}));
}

TEST(ImapGrammarFetch, BinarySections) {
  auto b = att_of("BINARY[1.2]<5.10>");
  EXPECT_EQ(b.item, fi::binary);
  EXPECT_EQ(b.section.part, (std::vector<std::uint32_t>{1, 2}));
  EXPECT_EQ(b.partial, (fetch_partial{5, 10}));
  EXPECT_TRUE(att_of("BINARY.PEEK[]").peek);
  auto size = att_of("BINARY.SIZE[3]");
  EXPECT_EQ(size.item, fi::binary_size);
  EXPECT_EQ(size.section.part, std::vector<std::uint32_t>{3});
}

TEST(ImapGrammarFetch, ModifiersAndUid) {
  auto f = parse_as<fetch_cmd>("a UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)");
  EXPECT_TRUE(f.uid);
  EXPECT_EQ(f.changed_since, 12345u);
  EXPECT_TRUE(f.vanished);
  EXPECT_EQ(f.set.ranges, (std::vector<seq_range>{{300, 500}}));
  EXPECT_EQ(parse_as<fetch_cmd>("a FETCH 1:* FLAGS (CHANGEDSINCE 0)").changed_since, 0u);
  EXPECT_TRUE(parse_as<fetch_cmd>("a FETCH $ FLAGS").set.saved);
  EXPECT_EQ(bad("a FETCH 1 FLAGS (CHANGEDSINCE 5 VANISHED)"),
            "FETCH: expected VANISHED only in UID FETCH with CHANGEDSINCE at end of command");
  EXPECT_FALSE(parse_command("a UID FETCH 1 FLAGS (VANISHED)").ok());
}

TEST(ImapGrammarFetch, Rejects) {
  expect_all_bad({"a FETCH",
                  "a FETCH 1",
                  "a FETCH 1 ",
                  "a FETCH 1 ()",
                  "a FETCH 1 (FLAGS",
                  "a FETCH 1 FLAGS)",
                  "a FETCH 1 (ALL)",
                  "a FETCH 1 FLAGS UID",
                  "a FETCH x FLAGS",
                  "a FETCH 0 FLAGS",
                  "a FETCH 1 BODY[",
                  "a FETCH 1 BODY[MIME]",
                  "a FETCH 1 BODY[0]",
                  "a FETCH 1 BODY[1.]",
                  "a FETCH 1 BODY[1.FOO]",
                  "a FETCH 1 BODY[HEADER.FIELDS]",
                  "a FETCH 1 BODY[HEADER.FIELDS ()]",
                  "a FETCH 1 BODY[]<5>",
                  "a FETCH 1 BODY[]<5.0>",
                  "a FETCH 1 BODY[]<.5>",
                  "a FETCH 1 BODY.PEEK",
                  "a FETCH 1 BINARY[TEXT]",
                  "a FETCH 1 BINARY.SIZE[]<0.5>",
                  "a FETCH 1 RFC822.FOO",
                  "a FETCH 1 FLAGS (CHANGEDSINCE)",
                  "a FETCH 1 FLAGS (FOO)",
                  "a FETCH 1 FLAGS ()",
                  "a FETCH 1 BODY [1]",
                  "a FETCH 1 (FLAGS  UID)"});
}

TEST(ImapGrammarFetch, Store) {
  auto s = parse_as<store_cmd>("a STORE 2:4 +FLAGS (\\deleted $Junk)");
  EXPECT_EQ(s.mode, store_mode::add);
  EXPECT_FALSE(s.silent);
  EXPECT_EQ(s.flags, (std::vector<std::string>{"\\Deleted", "$Junk"}));
  auto silent = parse_as<store_cmd>("a UID STORE 1 -FLAGS.SILENT \\Seen \\Flagged");
  EXPECT_TRUE(silent.uid && silent.silent);
  EXPECT_EQ(silent.mode, store_mode::remove);
  EXPECT_EQ(silent.flags, (std::vector<std::string>{"\\Seen", "\\Flagged"}));
  auto cond = parse_as<store_cmd>("a STORE 1 (UNCHANGEDSINCE 320162338) FLAGS ()");
  EXPECT_EQ(cond.unchanged_since, 320162338u);
  EXPECT_EQ(cond.mode, store_mode::replace);
  EXPECT_TRUE(cond.flags.empty());
  expect_all_bad({"a STORE", "a STORE 1", "a STORE 1 FLAGS", "a STORE 1 FLAGS ", "a STORE 1 *FLAGS (\\Seen)",
                  "a STORE 1 +FLAGS.LOUD (\\Seen)", "a STORE 1 FLAGS (\\Recent)", "a STORE 1 FLAGS \\*",
                  "a STORE 1 (UNCHANGEDSINCE) FLAGS ()", "a STORE 1 (CHANGEDSINCE 5) FLAGS ()",
                  "a STORE 1 FLAGS (\\Seen", "a STORE 1 +FLAGS (a) (b)"});
}

TEST(ImapGrammarFetch, CopyMoveAndUidExpunge) {
  auto c = parse_as<copy_cmd>("a COPY 2:4 MEETING");
  EXPECT_FALSE(c.uid || c.move);
  EXPECT_EQ(c.mailbox, "MEETING");
  auto m = parse_as<copy_cmd>("a UID MOVE 42 \"Trash\"");
  EXPECT_TRUE(m.uid && m.move);
  EXPECT_EQ(m.mailbox, "Trash");
  EXPECT_EQ(parse_as<uid_expunge_cmd>("a UID EXPUNGE 3000:3002").uids.ranges, (std::vector<seq_range>{{3000, 3002}}));
  expect_all_bad(
      {"a COPY", "a COPY 1", "a COPY x INBOX", "a MOVE 1 a b", "a UID EXPUNGE", "a UID EXPUNGE x", "a EXPUNGE 1"});
}

}  // namespace
}  // namespace posta::mail::imap::proto
