// SORT keys (RFC 5256 3, RFC 5957): each key, REVERSE, several keys, ties
// by mailbox order, and the sort data built from a parsed message.
#include "mail/imap/proto/sort.hpp"
#include "mail/mime/field_decoding.hpp"
#include "mail/mime/parse_message.hpp"

#include "tests/unit/mail/crlf.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace posta::mail::imap::proto {
namespace {

namespace mime = posta::mail::mime;
using ids = std::vector<std::uint32_t>;

sort_fields msg(std::uint32_t id) {
  sort_fields f;
  f.id = id;
  return f;
}

ids run(std::vector<sort_fields> const& m, std::vector<sort_criterion> const& program) {
  return sort_messages(m, program);
}

TEST(ImapSort, EachKeyOrdersItsField) {
  std::vector<sort_fields> m = {msg(1), msg(2), msg(3)};
  m[0].internal_date = 30, m[1].internal_date = 10, m[2].internal_date = 20;
  m[0].sent_date = 5, m[1].sent_date = 7, m[2].sent_date = 6;
  m[0].size = 300, m[1].size = 100, m[2].size = 200;
  m[0].subject = "b", m[1].subject = "C", m[2].subject = "a";
  m[0].from = "Zed", m[1].from = "amy", m[2].from = "bob";
  m[0].to = "b", m[1].to = "a", m[2].to = "c";
  m[0].cc = "", m[1].cc = "x", m[2].cc = "a";
  m[0].display_from = "alice", m[1].display_from = "Carol", m[2].display_from = "bob";
  m[0].display_to = "Y", m[1].display_to = "x", m[2].display_to = "z";
  EXPECT_EQ(run(m, {{sort_key::arrival}}), (ids{2, 3, 1}));
  EXPECT_EQ(run(m, {{sort_key::date}}), (ids{1, 3, 2}));
  EXPECT_EQ(run(m, {{sort_key::size}}), (ids{2, 3, 1}));
  EXPECT_EQ(run(m, {{sort_key::subject}}), (ids{3, 1, 2}));  // i;ascii-casemap: "C" after "b"
  EXPECT_EQ(run(m, {{sort_key::from}}), (ids{2, 3, 1}));
  EXPECT_EQ(run(m, {{sort_key::to}}), (ids{2, 1, 3}));
  EXPECT_EQ(run(m, {{sort_key::cc}}), (ids{1, 3, 2}));  // no Cc sorts first (empty string)
  EXPECT_EQ(run(m, {{sort_key::display_from}}), (ids{1, 3, 2}));
  EXPECT_EQ(run(m, {{sort_key::display_to}}), (ids{2, 1, 3}));
}

TEST(ImapSort, ReverseAppliesToItsKeyOnly) {
  std::vector<sort_fields> m = {msg(1), msg(2), msg(3), msg(4)};
  m[0].subject = "a", m[1].subject = "b", m[2].subject = "a", m[3].subject = "b";
  m[0].size = 1, m[1].size = 2, m[2].size = 3, m[3].size = 4;
  EXPECT_EQ(run(m, {{sort_key::subject, true}, {sort_key::size}}), (ids{2, 4, 1, 3}));
  EXPECT_EQ(run(m, {{sort_key::subject}, {sort_key::size, true}}), (ids{3, 1, 4, 2}));
  EXPECT_EQ(run(m, {{sort_key::size, true}}), (ids{4, 3, 2, 1}));
}

TEST(ImapSort, TiesKeepMailboxOrderEvenReversed) {
  std::vector<sort_fields> m = {msg(7), msg(3), msg(5)};
  for (auto& f : m) f.subject = "same";
  EXPECT_EQ(run(m, {{sort_key::subject}}), (ids{3, 5, 7}));
  // RFC 5256: REVERSE reverses the key, not the final sequence order.
  EXPECT_EQ(run(m, {{sort_key::subject, true}}), (ids{3, 5, 7}));
  EXPECT_EQ(run(m, {}), (ids{3, 5, 7}));
}

TEST(ImapSort, CasemapFoldsAsciiOnly) {
  std::vector<sort_fields> m = {msg(1), msg(2), msg(3)};
  m[0].subject = "\xc3\xa9t\xc3\xa9", m[1].subject = "Zoo", m[2].subject = "apple";
  EXPECT_EQ(run(m, {{sort_key::subject}}), (ids{3, 2, 1}));  // 8-bit octets after ASCII
}

using posta::test::crlf;

TEST(ImapSort, FieldsFromAParsedMessage) {
  auto raw = crlf(
      "Date: Tue, 1 Dec 2026 10:00:00 +0100\n"
      "From: =?utf-8?q?J=C3=B6rg?= <Joerg@Example.org>\n"
      "To: undisclosed: ;, \"\" <bob@example.org>\n"
      "Cc: carol@example.org, dave@example.org\n"
      "Subject: Re: [list] Hello\n"
      "\n"
      "body\n");
  auto ms = mime::parse_message(raw);
  ASSERT_TRUE(ms);
  auto f = make_sort_fields(*ms, 9, 1'000, [](std::string_view s) { return mime::decode_header_text(s); });
  EXPECT_EQ(f.id, 9u);
  EXPECT_EQ(f.internal_date, 1'000);
  EXPECT_EQ(f.sent_date, 1'796'115'600);  // 09:00 UTC
  EXPECT_EQ(f.size, raw.size());
  EXPECT_EQ(f.subject, "Hello");
  EXPECT_EQ(f.from, "Joerg");
  EXPECT_EQ(f.to, "bob");  // the empty group is no mailbox
  EXPECT_EQ(f.cc, "carol");
  EXPECT_EQ(f.display_from, "J\xc3\xb6rg");
  EXPECT_EQ(f.display_to, "bob@example.org");  // empty display-name: the addr-spec (RFC 5957)
}

TEST(ImapSort, MissingDateFallsBackToInternalDate) {
  auto ms = mime::parse_message(crlf("Subject: x\n\nbody\n"));
  ASSERT_TRUE(ms);
  auto f = make_sort_fields(*ms, 1, 4242, [](std::string_view s) { return std::string(s); });
  EXPECT_EQ(f.sent_date, 4242);
  EXPECT_EQ(f.from, "");
  EXPECT_EQ(f.display_from, "");
}

}  // namespace
}  // namespace posta::mail::imap::proto
