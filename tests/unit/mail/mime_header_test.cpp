// Header section walking, unfolding (RFC 5322 2.2) and UTF-8 repair.
#include "mail/mime/header_block.hpp"
#include "mail/mime/utf8.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace posta::mail::mime {
namespace {

struct scanned {
  std::vector<std::string> fields;  // "name=raw value"
  std::size_t body_start;
  std::size_t lines;
};

scanned scan(std::string_view raw, std::size_t begin = 0, std::size_t end = std::string_view::npos) {
  header_scanner s(raw, begin, end == std::string_view::npos ? raw.size() : end);
  scanned out;
  while (auto f = s.next()) out.fields.push_back(std::string(f->name) + "=" + std::string(f->raw_value));
  out.body_start = s.body_start();
  out.lines = s.lines();
  return out;
}

TEST(mime_header, fields_and_body_start) {
  std::string raw = "Subject: hi\r\nTo: a@b\r\n\r\nbody\r\n";
  auto s = scan(raw);
  EXPECT_EQ(s.fields, (std::vector<std::string>{"Subject= hi", "To= a@b"}));
  EXPECT_EQ(s.body_start, raw.find("body"));
  EXPECT_EQ(s.lines, 3u);
}

TEST(mime_header, folded_value_keeps_folding_until_unfold) {
  std::string raw = "Subject: one\r\n two\r\n\tthree\r\nX: y\r\n\r\n";
  auto s = scan(raw);
  ASSERT_EQ(s.fields.size(), 2u);
  EXPECT_EQ(s.fields[0], "Subject= one\r\n two\r\n\tthree");
  EXPECT_EQ(unfold(" one\r\n two\r\n\tthree "), "one two\tthree");
  EXPECT_EQ(s.lines, 5u);
}

TEST(mime_header, garbage_lines_are_skipped_not_ending_the_header) {
  std::string raw = "no colon here\r\nBad Name: x\r\n: empty\r\nGood: 1\r\n\r\nB";
  auto s = scan(raw);
  EXPECT_EQ(s.fields, (std::vector<std::string>{"Good= 1"}));
  EXPECT_EQ(s.body_start, raw.size() - 1);
}

TEST(mime_header, obsolete_space_before_colon) {
  auto s = scan("Subject : x\r\n\r\n");
  EXPECT_EQ(s.fields, (std::vector<std::string>{"Subject= x"}));
}

TEST(mime_header, no_blank_line_means_empty_body_at_end) {
  std::string raw = "A: 1\r\nB: 2";
  auto s = scan(raw);
  EXPECT_EQ(s.fields, (std::vector<std::string>{"A= 1", "B= 2"}));
  EXPECT_EQ(s.body_start, raw.size());
  EXPECT_EQ(s.lines, 2u);
}

TEST(mime_header, bare_lf_and_empty_input) {
  std::string raw = "A: 1\nB: 2\n\nbody";
  auto s = scan(raw);
  EXPECT_EQ(s.fields.size(), 2u);
  EXPECT_EQ(s.body_start, raw.find("body"));
  auto e = scan("");
  EXPECT_TRUE(e.fields.empty());
  EXPECT_EQ(e.body_start, 0u);
  EXPECT_EQ(e.lines, 0u);
}

TEST(mime_header, respects_the_range) {
  std::string raw = "junk--A: 1\r\n\r\nbody";
  auto s = scan(raw, 6, 12);  // "A: 1\r\n" only
  EXPECT_EQ(s.fields, (std::vector<std::string>{"A= 1"}));
  EXPECT_EQ(s.body_start, 12u);
}

TEST(mime_header, immediate_blank_line) {
  auto s = scan("\r\nbody");
  EXPECT_TRUE(s.fields.empty());
  EXPECT_EQ(s.body_start, 2u);
  EXPECT_EQ(s.lines, 1u);
}

TEST(mime_header, case_helpers) {
  EXPECT_TRUE(iequals("Content-Type", "content-TYPE"));
  EXPECT_FALSE(iequals("Content-Type", "Content-Typ"));
  EXPECT_EQ(to_lower("MiXeD-1"), "mixed-1");
}

TEST(mime_utf8, validity) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("gr\xC3\xBC\xC3\x9F" "e \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));          // truncated
  EXPECT_FALSE(is_valid_utf8("caf\xE9"));           // latin-1
}

TEST(mime_utf8, sanitize_replaces_and_drops_nul) {
  EXPECT_EQ(sanitize_utf8("caf\xE9!"), "caf\xEF\xBF\xBD!");
  EXPECT_EQ(sanitize_utf8(std::string("a\0b", 3)), "ab");
  EXPECT_EQ(sanitize_utf8("\xC3\xBC"), "\xC3\xBC");
}

}  // namespace
}  // namespace posta::mail::mime
