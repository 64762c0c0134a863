// THREAD=ORDEREDSUBJECT and THREAD=REFERENCES (RFC 5256 3, 4): each step of
// the REFERENCES algorithm, hostile link structures, and the response format.
#include "mail/imap/proto/thread.hpp"
#include "mail/imap/proto/thread_check.hpp"
#include "mail/mime/parse_message.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

namespace posta::mail::imap::proto {
namespace {

thread_fields m(std::uint32_t id, std::string subject, std::string message_id, std::string references = "",
                std::string in_reply_to = "") {
  return thread_fields{id,
                       static_cast<std::int64_t>(id) * 100,
                       std::move(subject),
                       std::move(message_id),
                       std::move(in_reply_to),
                       std::move(references)};
}

std::string refs(std::vector<thread_fields> const& v, thread_limits const& limits = {}) {
  return thread_references(v, limits);
}

TEST(ImapThreadMsgIds, ParsesValidIdsOnly) {
  using v = std::vector<std::string>;
  EXPECT_EQ(parse_msg_ids("<a@b>"), (v{"a@b"}));
  EXPECT_EQ(parse_msg_ids(" <a@b> <c@d>\r\n\t<e@f>"), (v{"a@b", "c@d", "e@f"}));
  EXPECT_EQ(parse_msg_ids("<a@b> (from x <y@z>)"), (v{"a@b", "y@z"}));
  EXPECT_EQ(parse_msg_ids("<a@\r\n b>"), (v{"a@b"}));  // folded inside the id
  EXPECT_EQ(parse_msg_ids("<nohost> <@b> <a@> <> <<x@y>"), (v{"x@y"}));
  EXPECT_EQ(parse_msg_ids("a@b"), v{});
  EXPECT_EQ(parse_msg_ids("<a@b"), v{});
  EXPECT_EQ(parse_msg_ids(""), v{});
}

TEST(ImapThreadFormat, ChainsBranchesAndDummies) {
  EXPECT_EQ(refs({}), "");
  EXPECT_EQ(refs({m(1, "a", "<1@x>")}), "(1)");
  EXPECT_EQ(refs({m(1, "a", "<1@x>"), m(2, "b", "<2@x>", "<1@x>"), m(3, "c", "<3@x>", "<1@x> <2@x>")}), "(1 2 3)");
  EXPECT_EQ(refs({m(1, "a", "<1@x>"), m(2, "b", "<2@x>", "<1@x>"), m(3, "c", "<3@x>", "<1@x>")}), "(1 (2)(3))");
  // The shape of RFC 5256's own example "(3 6 (4 23)(44 7 96))".
  std::vector<thread_fields> v = {
      m(3, "s", "<3@x>"),
      m(6, "s1", "<6@x>", "<3@x>"),
      m(4, "s2", "<4@x>", "<3@x> <6@x>"),
      m(23, "s3", "<23@x>", "<4@x>"),
      m(44, "s4", "<44@x>", "<6@x>"),
      m(7, "s5", "<7@x>", "<44@x>"),
      m(96, "s6", "<96@x>", "<7@x>"),
  };
  EXPECT_EQ(refs(v), "(3 6 (4 23)(44 7 96))");
}

TEST(ImapThreadReferences, MissingParentBecomesDummy) {
  // Two replies to a message not in the mailbox: a dummy holds them at the top.
  EXPECT_EQ(refs({m(2, "x", "<2@x>", "<gone@x>"), m(3, "y", "<3@x>", "<gone@x>")}), "((2)(3))");
  // With one child the dummy is dissolved (step 3.B).
  EXPECT_EQ(refs({m(2, "x", "<2@x>", "<gone@x>")}), "(2)");
  // A missing message inside a chain is spliced out.
  EXPECT_EQ(refs({m(1, "a", "<1@x>"), m(3, "c", "<3@x>", "<1@x> <gone@x>")}), "(1 3)");
}

TEST(ImapThreadReferences, InReplyToWhenNoReferences) {
  EXPECT_EQ(refs({m(1, "a", "<1@x>"), m(2, "b", "<2@x>", "", "<1@x> (sent by someone <0@x>)")}), "(1 2)");
  // References wins over In-Reply-To.
  EXPECT_EQ(refs({m(1, "a", "<1@x>"), m(2, "b", "<2@x>"), m(3, "c", "<3@x>", "<2@x>", "<1@x>")}), "(1)(2 3)");
}

TEST(ImapThreadReferences, LoopsAreNeverCreated) {
  // 1 says it answers 2, 2 says it answers 1: the first link stands.
  EXPECT_EQ(refs({m(1, "a", "<1@x>", "<2@x>"), m(2, "b", "<2@x>", "<1@x>")}), "(2 1)");
  // A message that references itself.
  EXPECT_EQ(refs({m(1, "a", "<1@x>", "<1@x>")}), "(1)");
  EXPECT_EQ(refs({m(1, "a", "<1@x>", "<0@x> <1@x> <0@x>")}), "(1)");
  // A cycle through three messages.
  EXPECT_EQ(refs({m(1, "a", "<1@x>", "<3@x>"), m(2, "b", "<2@x>", "<1@x>"), m(3, "c", "<3@x>", "<2@x>")}), "(3 1 2)");
  // References that repeat themselves.
  EXPECT_EQ(refs({m(1, "a", "<1@x>"), m(2, "b", "<2@x>", "<1@x> <1@x> <2@x> <1@x>")}), "(1 2)");
}

TEST(ImapThreadReferences, DuplicateAndMissingMessageIds) {
  // The lowest-numbered message keeps a duplicated id; replies go to it.
  EXPECT_EQ(refs({m(1, "a", "<d@x>"), m(2, "b", "<d@x>"), m(3, "c", "<3@x>", "<d@x>")}), "(1 3)(2)");
  // Messages without (valid) ids thread alone, even with equal garbage ids.
  EXPECT_EQ(refs({m(1, "a", ""), m(2, "b", "junk"), m(3, "c", "junk")}), "(1)(2)(3)");
  // The id of a message arriving later than its reply still links.
  EXPECT_EQ(refs({m(1, "b", "<1@x>", "<2@x>"), m(2, "a", "<2@x>")}), "(2 1)");
}

TEST(ImapThreadReferences, TruncatedReferencesDoNotMoveExistingLinks) {
  // 2 hangs under a missing <gone>; 3 claims <1> <2>: 1.A keeps 2's parent.
  EXPECT_EQ(refs({m(1, "a", "<1@x>"), m(2, "b", "<2@x>", "<gone@x>"), m(3, "c", "<3@x>", "<1@x> <2@x>")}), "(1)(2 3)");
  // 1 names <b> under <x>; then <b> itself arrives answering <y>: 1.B moves it.
  EXPECT_EQ(refs({m(1, "a", "<a@x>", "<x@x> <b@x>"), m(2, "b", "<b@x>", "<y@x>"), m(3, "c", "<3@x>", "<x@x>")}),
            "(2 1)(3)");
}

TEST(ImapThreadReferences, SubjectGrouping) {
  // A reply without headers joins its original by subject (5.C.iii).
  EXPECT_EQ(refs({m(1, "Hello", "<1@x>"), m(2, "Re: hello", "<2@x>")}), "(1 2)");
  // Two originals with one subject get a dummy parent (5.C.iv).
  EXPECT_EQ(refs({m(1, "Hello", "<1@x>"), m(2, "Hello", "<2@x>")}), "((1)(2))");
  // Two replies with one subject: also siblings under a dummy.
  EXPECT_EQ(refs({m(1, "Re: Hello", "<1@x>"), m(2, "Re: Hello", "<2@x>")}), "((1)(2))");
  // A dummy thread takes a message of its subject as one more child (5.C.ii).
  EXPECT_EQ(refs({m(2, "Hello", "<2@x>", "<gone@x>"), m(3, "Re: Hello", "<3@x>", "<gone@x>"), m(4, "Hello", "<4@x>")}),
            "((2)(3)(4))");
  // Two dummy threads of one subject merge (5.C.i).
  EXPECT_EQ(refs({m(2, "Hi", "<2@x>", "<g1@x>"), m(3, "Hi", "<3@x>", "<g1@x>"), m(4, "Hi", "<4@x>", "<g2@x>"),
                  m(5, "Hi", "<5@x>", "<g2@x>")}),
            "((2)(3)(4)(5))");
  // An empty subject never groups.
  EXPECT_EQ(refs({m(1, "", "<1@x>"), m(2, "Re:", "<2@x>")}), "(1)(2)");
  // Base subjects compare under i;ascii-casemap.
  EXPECT_EQ(refs({m(1, "[list] HELLO", "<1@x>"), m(2, "Fwd: hello", "<2@x>")}), "(1 2)");
}

TEST(ImapThreadReferences, SortsBySentDateThenId) {
  auto a = m(1, "a", "<1@x>"), b = m(2, "b", "<2@x>"), c = m(3, "c", "<3@x>", "<1@x>"), d = m(4, "d", "<4@x>", "<1@x>");
  a.sent_date = 500, b.sent_date = 100, c.sent_date = 300, d.sent_date = 200;
  EXPECT_EQ(refs({a, b, c, d}), "(2)(1 (4)(3))");
  b.sent_date = 500;  // same date as 1: mailbox order
  EXPECT_EQ(refs({b, a, d, c}), "(1 (4)(3))(2)");
}

// SECURITY: only the last max_references ids count.
TEST(ImapThreadReferences, ReferencesLimit) {
  std::string long_refs = "<1@x>";
  for (int i = 0; i < 300; ++i) long_refs += " <gone" + std::to_string(i) + "@x>";
  std::vector<thread_fields> v = {m(1, "a", "<1@x>"), m(2, "b", "<2@x>", long_refs)};
  EXPECT_EQ(refs(v, {.max_references = 301}), "(1 2)");
  EXPECT_EQ(refs(v, {.max_references = 300}), "(1)(2)");
  EXPECT_EQ(refs(v), "(1)(2)");
}

// A chain far deeper than any stack frame budget allows for recursion.
TEST(ImapThreadReferences, DeepChainsNeedNoRecursion) {
  std::vector<thread_fields> v;
  std::string expected = "(";
  constexpr std::uint32_t n = 50'000;
  for (std::uint32_t i = 1; i <= n; ++i) {
    v.push_back(m(i, "s" + std::to_string(i), "<" + std::to_string(i) + "@x>",
                  i > 1 ? "<" + std::to_string(i - 1) + "@x>" : ""));
    expected += (i > 1 ? " " : "") + std::to_string(i);
  }
  expected += ")";
  EXPECT_EQ(refs(v), expected);
  // A deep chain of missing parents, each with two children.
  std::vector<thread_fields> w;
  for (std::uint32_t i = 1; i <= 500; ++i) {
    std::string chain;
    for (std::uint32_t k = 1; k <= i; ++k) chain += "<g" + std::to_string(k) + "@x> ";
    w.push_back(m(i, "t" + std::to_string(i), "<m" + std::to_string(i) + "@x>", chain));
  }
  EXPECT_FALSE(refs(w, {.max_references = 5000}).empty());
}

// SECURITY: thousands of messages leaving one crowded parent (1.B) cost
// linear time, and the swap that makes it so keeps every link right.
TEST(ImapThreadReferences, ManyMovesFromOneParent) {
  constexpr std::uint32_t n = 3000;
  std::vector<thread_fields> v;
  std::string expected = "(";
  for (std::uint32_t j = 1; j <= n; ++j) {
    auto later = "<t" + std::to_string(j) + "@x>";
    v.push_back(m(j, "s" + std::to_string(j), "<m" + std::to_string(j) + "@x>", "<crowded@x> " + later));
    v.push_back(m(n + j, "u" + std::to_string(j), later, "<other@x>"));
    expected += "(" + std::to_string(n + j) + " " + std::to_string(j) + ")";
  }
  EXPECT_EQ(refs(v), expected + ")");
}

TEST(ImapThreadOrderedSubject, GroupsBySubjectSortsByDate) {
  std::vector<thread_fields> v = {m(1, "A", ""), m(2, "Re: a", ""), m(3, "B", ""), m(4, "[x] a", ""), m(5, "b", "")};
  v[0].sent_date = 10, v[1].sent_date = 30, v[2].sent_date = 5, v[3].sent_date = 20, v[4].sent_date = 40;
  EXPECT_EQ(thread_orderedsubject(v), "(3 5)(1 (4)(2))");
  EXPECT_EQ(thread_orderedsubject(std::vector<thread_fields>{}), "");
  EXPECT_EQ(thread_orderedsubject(std::vector<thread_fields>{m(7, "", ""), m(8, "", "")}), "(7 8)");
}

TEST(ImapThreadOrderedSubject, IgnoresReferences) {
  EXPECT_EQ(thread_orderedsubject(std::vector<thread_fields>{m(1, "x", "<1@x>"), m(2, "y", "<2@x>", "<1@x>")}),
            "(1)(2)");
}

TEST(ImapThread, FieldsFromAParsedMessage) {
  std::string raw =
      "Date: Tue, 1 Dec 2026 09:00:00 +0000\r\nSubject: =?utf-8?q?Re=3A_caf=C3=A9?=\r\n"
      "Message-ID: <m@x>\r\nIn-Reply-To: <p@x>\r\n\r\nbody\r\n";
  auto ms = mail::mime::parse_message(raw);
  ASSERT_TRUE(ms);
  auto f = make_thread_fields(*ms, 5, 7, "<q@x> <p@x>");
  EXPECT_EQ(f.id, 5u);
  EXPECT_EQ(f.sent_date, 1'796'115'600);
  EXPECT_EQ(f.subject, "Re: caf\xc3\xa9");
  EXPECT_EQ(f.message_id, "<m@x>");
  EXPECT_EQ(f.in_reply_to, "<p@x>");
  EXPECT_EQ(f.references, "<q@x> <p@x>");
}

// Generated mailboxes full of what real ones contain and worse: missing and
// duplicated ids, references in any order, loops, self references, and
// few distinct subjects. Every message must come out exactly once, in a
// well-formed response, from both algorithms.
TEST(ImapThread, GeneratedMailboxesGiveWellFormedResponses) {
  std::mt19937 rng(5256);
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  std::string_view const subjects[] = {"", "a", "Re: a", "b", "[l] Fwd: b", "Re: Re: c"};
  for (int round = 0; round < 300; ++round) {
    std::vector<thread_fields> v;
    std::set<std::uint32_t> ids;
    int n = 1 + pick(40);
    for (int i = 1; i <= n; ++i) {
      std::string own = pick(8) == 0 ? "" : "<" + std::to_string(pick(n + 5)) + "@x>";
      std::string references;
      for (int k = pick(5); k > 0; --k) references += "<" + std::to_string(pick(n + 5)) + "@x> ";
      auto id = static_cast<std::uint32_t>(i * 3);
      v.push_back(m(id, std::string(subjects[pick(6)]), own, references, "<" + std::to_string(pick(n)) + "@x>"));
      v.back().sent_date = pick(10);
      ids.insert(id);
    }
    std::shuffle(v.begin(), v.end(), rng);
    auto by_refs = thread_references(v);
    auto by_subject = thread_orderedsubject(v);
    EXPECT_TRUE(is_well_formed_thread_list(by_refs, ids)) << by_refs;
    EXPECT_TRUE(is_well_formed_thread_list(by_subject, ids)) << by_subject;
  }
}

TEST(ImapThread, WellFormedCheckRejectsBrokenResponses) {
  EXPECT_TRUE(is_well_formed_thread_list("(1 2 (3)(4 5))((6)(7))", {1, 2, 3, 4, 5, 6, 7}));
  for (std::string_view bad : {"(1)(1)", "(1", "1", "()", "(1 )", "(1)(2) ", "(1) (2)", "(1(2))", "(1 x)"})
    EXPECT_FALSE(is_well_formed_thread_list(bad, {1, 2})) << bad;
}

}  // namespace
}  // namespace posta::mail::imap::proto
