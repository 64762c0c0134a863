// BODY[HEADER.FIELDS] / BODY[HEADER.FIELDS.NOT] (RFC 3501 6.4.5): a table,
// and every truncation of a header block, where both subsets together must
// always hold every byte of the fields once.
#include "mail/imap/proto/header_fields.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace posta::mail::imap::proto {
namespace {

using names = std::vector<std::string>;

std::string only(std::string_view h, names const& n) {
  return filter_header_fields(h, n, field_selection::only);
}
std::string except(std::string_view h, names const& n) {
  return filter_header_fields(h, n, field_selection::except);
}

std::string const header =
    "From: a@example.org\r\n"
    "Subject: hello\r\n"
    "  folded\r\n"
    "\tmore\r\n"
    "To: b@example.org\r\n"
    "subject : second\r\n"
    "X-Empty:\r\n"
    "\r\n";

TEST(ImapHeaderFields, Table) {
  EXPECT_EQ(only(header, {"SUBJECT"}), "Subject: hello\r\n  folded\r\n\tmore\r\nsubject : second\r\n\r\n");
  EXPECT_EQ(only(header, {"to", "From"}), "From: a@example.org\r\nTo: b@example.org\r\n\r\n");
  EXPECT_EQ(only(header, {"x-empty"}), "X-Empty:\r\n\r\n");
  EXPECT_EQ(only(header, {"Missing"}), "\r\n");
  EXPECT_EQ(only(header, {}), "\r\n");
  EXPECT_EQ(only(header, {"subj", "subjects", "from "}), "\r\n");  // exact names only
  EXPECT_EQ(except(header, {"subject", "x-empty"}), "From: a@example.org\r\nTo: b@example.org\r\n\r\n");
  EXPECT_EQ(except(header, {}), header);
}

TEST(ImapHeaderFields, NoBlankLineWithoutOne) {
  // A message without body and blank line (RFC 3501: "except in the case of
  // a message which has no body and no blank line").
  EXPECT_EQ(only("From: a\r\nTo: b\r\n", {"to"}), "To: b\r\n");
  EXPECT_EQ(only("From: a\r\nTo: b", {"to"}), "To: b");
  EXPECT_EQ(only("", {"to"}), "");
}

TEST(ImapHeaderFields, BareLineFeedsAndGarbage) {
  EXPECT_EQ(only("A: 1\nB: 2\n x\n\n", {"b"}), "B: 2\n x\n\n");
  // A line that is no field belongs to no subset, nor do its continuations.
  std::string const odd = " leading continuation\r\nno colon here\r\n still garbage\r\n: empty name\r\nA: 1\r\n\r\n";
  EXPECT_EQ(only(odd, {"a"}), "A: 1\r\n\r\n");
  EXPECT_EQ(except(odd, {"b"}), "A: 1\r\n\r\n");
  // Whatever follows the blank line is not header.
  EXPECT_EQ(except("A: 1\r\n\r\nB: 2\r\n", {}), "A: 1\r\n\r\n");
}

// A cut-off last line without colon (say "Sub") is no field: in neither subset.
std::size_t unfinished_garbage(std::string_view h) {
  auto tail = h.substr(h.rfind('\n') == std::string_view::npos ? 0 : h.rfind('\n') + 1);
  bool field_or_continuation =
      tail.find(':') != std::string_view::npos || tail.starts_with(" ") || tail.starts_with("\t");
  return field_or_continuation ? 0 : tail.size();
}

// Robustness at every truncation point of the header block: the two subsets
// partition the fields, and only the blank line appears in both.
TEST(ImapHeaderFields, EveryTruncationPartitionsTheFields) {
  names const n = {"subject", "to"};
  for (std::size_t len = 0; len <= header.size(); ++len) {
    auto h = std::string_view(header).substr(0, len);
    auto a = only(h, n), b = except(h, n);
    bool blank = h.size() >= 4 && h.substr(h.size() - 4) == "\r\n\r\n";
    EXPECT_EQ(a.size() + b.size(), h.size() + (blank ? 2 : 0) - unfinished_garbage(h)) << "length " << len;
    EXPECT_EQ(b.find("ubject:"), std::string::npos) << "length " << len;
  }
}

}  // namespace
}  // namespace posta::mail::imap::proto
