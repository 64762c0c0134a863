// SEARCH (every key of RFC 3501 6.4.4 / RFC 9051 6.4.4, MODSEQ of RFC 7162,
// OLDER/YOUNGER of RFC 5032, "$" of RFC 5182, RETURN of RFC 4731), SORT with
// ESORT (RFC 5256, 5267) and THREAD (RFC 5256).
#include "imap_parse_test_util.hpp"

namespace posta::mail::imap::proto {
namespace {

using namespace test;  // parse_as, bad, expect_all_bad
using sk = search_kind;

search_key key_of(std::string_view keys) {
  return parse_as<search_cmd>("a SEARCH " + std::string(keys)).key;
}

TEST(ImapGrammarSearch, FlagKeys) {
  struct row {
    std::string_view text;
    search_kind kind;
  } rows[] = {
      {"all", sk::all},
      {"Answered", sk::answered},
      {"deleted", sk::deleted},
      {"Draft", sk::draft},
      {"flagged", sk::flagged},
      {"New", sk::new_},
      {"old", sk::old},
      {"Recent", sk::recent},
      {"seen", sk::seen},
      {"Unanswered", sk::unanswered},
      {"undeleted", sk::undeleted},
      {"Undraft", sk::undraft},
      {"unflagged", sk::unflagged},
      {"UnSeen", sk::unseen},
  };
  for (auto const& r : rows) EXPECT_EQ(key_of(r.text).kind, r.kind) << r.text;
  auto k = key_of("KEYWORD $Junk");
  EXPECT_EQ(k.kind, sk::keyword);
  EXPECT_EQ(k.field, "$Junk");
  EXPECT_EQ(key_of("UNKEYWORD foo").kind, sk::unkeyword);
}

TEST(ImapGrammarSearch, StringDateAndNumberKeys) {
  struct row {
    std::string_view text;
    search_kind kind;
    std::string_view value;
  } strings[] = {{"BCC x", sk::bcc, "x"},
                 {"BODY \"a b\"", sk::body, "a b"},
                 {"CC {2}\r\nab", sk::cc, "ab"},
                 {"FROM joe", sk::from, "joe"},
                 {"SUBJECT \"\"", sk::subject, ""},
                 {"TEXT hi", sk::text, "hi"},
                 {"TO \"caf\xc3\xa9\"", sk::to, "caf\xc3\xa9"}};
  for (auto const& r : strings) {
    auto k = key_of(r.text);
    EXPECT_EQ(k.kind, r.kind) << r.text;
    EXPECT_EQ(k.value, r.value) << r.text;
  }
  auto h = key_of("HEADER Message-ID \"<x@y>\"");
  EXPECT_EQ(h.kind, sk::header);
  EXPECT_EQ(h.field, "Message-ID");
  EXPECT_EQ(h.value, "<x@y>");
  using namespace std::chrono;
  struct drow {
    std::string_view text;
    search_kind kind;
  } dates[] = {{"BEFORE 1-Feb-1994", sk::before},  {"ON \"01-feb-1994\"", sk::on},
               {"SINCE 1-Feb-1994", sk::since},    {"SENTBEFORE 1-Feb-1994", sk::sent_before},
               {"SENTON 1-Feb-1994", sk::sent_on}, {"SENTSINCE 1-Feb-1994", sk::sent_since}};
  for (auto const& r : dates) {
    auto k = key_of(r.text);
    EXPECT_EQ(k.kind, r.kind) << r.text;
    EXPECT_EQ(k.date, 1994y / February / 1) << r.text;
  }
  EXPECT_EQ(key_of("LARGER 1000").number, 1000u);
  EXPECT_EQ(key_of("SMALLER 9223372036854775807").kind, sk::smaller);
  EXPECT_EQ(key_of("OLDER 3600").kind, sk::older);
  EXPECT_EQ(key_of("YOUNGER 60").number, 60u);
}

TEST(ImapGrammarSearch, SetsAndModseq) {
  auto s = key_of("1:5,*");
  EXPECT_EQ(s.kind, sk::sequence);
  EXPECT_EQ(s.set.ranges.size(), 2u);
  EXPECT_TRUE(key_of("$").set.saved);
  auto u = key_of("UID 3:*");
  EXPECT_EQ(u.kind, sk::uid);
  EXPECT_TRUE(key_of("UID $").set.saved);
  auto m = key_of("MODSEQ 620162338");
  EXPECT_EQ(m.kind, sk::modseq);
  EXPECT_EQ(m.number, 620162338u);
  auto e = key_of("MODSEQ \"/flags/\\\\draft\" all 620162338");
  EXPECT_EQ(e.field, "/flags/\\draft");
  EXPECT_EQ(e.entry_type, modseq_entry_type::all);
  EXPECT_EQ(e.number, 620162338u);
}

TEST(ImapGrammarSearch, TreesOfKeys) {
  auto k = key_of("OR (SEEN FLAGGED) NOT FROM joe UNDELETED");
  ASSERT_EQ(k.kind, sk::and_);
  ASSERT_EQ(k.children.size(), 2u);
  auto const& o = k.children[0];
  ASSERT_EQ(o.kind, sk::or_);
  ASSERT_EQ(o.children.size(), 2u);
  EXPECT_EQ(o.children[0].kind, sk::and_);
  EXPECT_EQ(o.children[0].children.size(), 2u);
  EXPECT_EQ(o.children[1].kind, sk::not_);
  EXPECT_EQ(o.children[1].children.at(0).kind, sk::from);
  EXPECT_EQ(k.children[1].kind, sk::undeleted);
  // One key (or a parenthesised single key) needs no AND around it.
  EXPECT_EQ(key_of("(((SEEN)))").kind, sk::seen);
  EXPECT_EQ(key_of("NOT NOT 1").children.at(0).children.at(0).kind, sk::sequence);
}

TEST(ImapGrammarSearch, CharsetAndReturn) {
  auto s = parse_as<search_cmd>("a UID SEARCH RETURN (MIN COUNT save) CHARSET utf-8 TEXT x");
  EXPECT_TRUE(s.uid);
  EXPECT_TRUE(s.ret.present && s.ret.min && s.ret.count && s.ret.save);
  EXPECT_FALSE(s.ret.max || s.ret.all);
  EXPECT_EQ(s.charset, "UTF-8");
  auto all = parse_as<search_cmd>("a SEARCH RETURN () ALL");
  EXPECT_TRUE(all.ret.present && all.ret.all);
  auto plain = parse_as<search_cmd>("a SEARCH UNSEEN");
  EXPECT_FALSE(plain.ret.present);
  EXPECT_FALSE(plain.charset);
}

TEST(ImapGrammarSearch, Rejects) {
  expect_all_bad({"a SEARCH",
                  "a SEARCH ",
                  "a SEARCH FOO",
                  "a SEARCH (SEEN",
                  "a SEARCH SEEN)",
                  "a SEARCH ()",
                  "a SEARCH OR SEEN",
                  "a SEARCH NOT",
                  "a SEARCH BEFORE 31-Feb-2024",
                  "a SEARCH SINCE yesterday",
                  "a SEARCH LARGER",
                  "a SEARCH LARGER -1",
                  "a SEARCH LARGER 99999999999999999999",
                  "a SEARCH OLDER 0",
                  "a SEARCH UID",
                  "a SEARCH UID x",
                  "a SEARCH 0",
                  "a SEARCH 1,$",
                  "a SEARCH HEADER Subject",
                  "a SEARCH CHARSET",
                  "a SEARCH CHARSET UTF-8",
                  "a SEARCH RETURN (FOO) ALL",
                  "a SEARCH RETURN ALL",
                  "a SEARCH MODSEQ \"/flags/x\" 5",
                  "a SEARCH MODSEQ \"/flags/x\" bogus 5",
                  "a SEARCH KEYWORD",
                  "a SEARCH KEYWORD \\Seen",
                  "a SEARCH SEEN  FLAGGED",
                  "a SEARCH FROM \"a\rb\""});
}

TEST(ImapGrammarSearch, NestingIsBounded) {
  // SECURITY: parse_options::max_search_depth bounds the parser's recursion.
  parse_options opts{.max_search_depth = 10};
  EXPECT_TRUE(parse_command("a SEARCH " + std::string(9, '(') + "SEEN" + std::string(9, ')'), opts).ok());
  EXPECT_EQ(bad("a SEARCH " + std::string(11, '(') + "SEEN" + std::string(11, ')'), opts).substr(0, 40),
            "SEARCH: expected fewer nested search key");
  std::string nots;
  for (int i = 0; i < 100000; ++i) nots += "NOT ";
  EXPECT_FALSE(parse_command("a SEARCH " + nots + "SEEN").ok());  // default bound, no stack overflow
  std::string ors;
  for (int i = 0; i < 100000; ++i) ors += "OR SEEN ";
  EXPECT_FALSE(parse_command("a SEARCH " + ors + "SEEN").ok());
}

TEST(ImapGrammarSearch, SequenceSetsAreBounded) {
  parse_options opts{.max_ranges = 3};
  EXPECT_TRUE(parse_command("a SEARCH 1,2,3", opts).ok());
  EXPECT_EQ(bad("a SEARCH 1,2,3,4", opts), "SEARCH: expected sequence set of at most 3 ranges at \"1,2,3,4\"");
  EXPECT_FALSE(parse_command("a FETCH 1,2,3,4 FLAGS", opts).ok());
}

TEST(ImapGrammarSearch, Sort) {
  auto s = parse_as<sort_cmd>("a UID SORT (REVERSE DATE subject DISPLAYFROM) UTF-8 SINCE 1-Feb-1994 ALL");
  EXPECT_TRUE(s.uid);
  EXPECT_EQ(s.criteria, (std::vector<sort_criterion>{
                            {sort_key::date, true}, {sort_key::subject, false}, {sort_key::display_from, false}}));
  EXPECT_EQ(s.charset, "UTF-8");
  EXPECT_EQ(s.key.kind, sk::and_);
  auto e = parse_as<sort_cmd>("a SORT RETURN (MIN MAX) (ARRIVAL) US-ASCII ALL");
  EXPECT_TRUE(e.ret.present && e.ret.min && e.ret.max);
  expect_all_bad({"a SORT", "a SORT () UTF-8 ALL", "a SORT (DATE) ALL", "a SORT (DATE) UTF-8",
                  "a SORT (REVERSE) UTF-8 ALL", "a SORT (BOGUS) UTF-8 ALL", "a SORT DATE UTF-8 ALL"});
}

TEST(ImapGrammarSearch, Thread) {
  auto t = parse_as<thread_cmd>("a THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000");
  EXPECT_EQ(t.algorithm, thread_algorithm::orderedsubject);
  EXPECT_EQ(t.key.kind, sk::since);
  auto u = parse_as<thread_cmd>("a UID THREAD references US-ASCII ALL");
  EXPECT_TRUE(u.uid);
  EXPECT_EQ(u.algorithm, thread_algorithm::references);
  expect_all_bad({"a THREAD", "a THREAD REFS UTF-8 ALL", "a THREAD REFERENCES UTF-8", "a THREAD REFERENCES ALL"});
}

}  // namespace
}  // namespace posta::mail::imap::proto
