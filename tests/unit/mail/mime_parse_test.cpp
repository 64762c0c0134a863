// parse_message: structure, envelope and offsets (verified by slicing the raw
// message), malformed input and the nesting / part limits.
#include "mail/mime/parse_message.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

namespace posta::mail::mime {
namespace {

std::string crlf(std::string_view lf) {
  std::string out;
  for (char c : lf) {
    if (c == '\n') out.push_back('\r');
    out.push_back(c);
  }
  return out;
}

std::string_view slice(std::string const& raw, byte_range r) {
  return std::string_view(raw).substr(r.begin, r.size());
}

message_structure parse(std::string const& raw, parse_limits const& limits = {}) {
  auto r = parse_message(raw, limits);
  EXPECT_TRUE(r.has_value());
  return r ? *r : message_structure{};
}

// Offsets nest: every part lies in its parent's body, siblings in order.
void check_invariants(body_part const& p, std::uint64_t lo, std::uint64_t hi) {
  ASSERT_LE(lo, p.header_start);
  ASSERT_LE(p.header_start, p.body_start);
  ASSERT_LE(p.body_start, p.body_end);
  ASSERT_LE(p.body_end, hi);
  if (p.is_multipart()) {
    ASSERT_FALSE(p.children.empty());
  }
  if (p.is_message_rfc822()) {
    ASSERT_EQ(p.children[0].header_start, p.body_start);
    ASSERT_EQ(p.children[0].body_end, p.body_end);
  }
  auto floor = p.body_start;
  for (auto const& c : p.children) {
    check_invariants(c, floor, p.body_end);
    floor = c.body_end;
  }
}

std::size_t depth_of(body_part const& p) {
  std::size_t d = 0;
  for (auto const& c : p.children) d = std::max(d, depth_of(c));
  return d + 1;
}

std::size_t count_parts(body_part const& p) {
  std::size_t n = 1;
  for (auto const& c : p.children) n += count_parts(c);
  return n;
}

std::string const plain = crlf(
    "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\n"
    "From: Fred Foobar <foobar@Blurdybloop.COM>\n"
    "Subject: afternoon\n"
    " meeting\n"
    "To: mooch@owatagu.siam.edu\n"
    "Message-Id: <B27397-0100000@Blurdybloop.COM>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\n"
    "\n"
    "Hello Joe, do you think we can meet at 3:30 tomorrow?\n");

std::string const mixed = crlf(
    "From: Alice <alice@example.com>\n"
    "To: bob@example.org\n"
    "Subject: report\n"
    "Message-ID: <mixed1@example.com>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\n"
    "\n"
    "preamble\n"
    "--outer\n"
    "Content-Type: text/plain; charset=us-ascii\n"
    "\n"
    "See attached.\n"
    "--outer\n"
    "Content-Type: application/pdf; name=\"r.pdf\"\n"
    "Content-Transfer-Encoding: base64\n"
    "Content-Disposition: attachment;\n"
    " filename*=utf-8''r%C3%A9sum%C3%A9.pdf\n"
    "\n"
    "JVBERi0xLjQK\n"
    "--outer\n"
    "Content-Type: message/rfc822\n"
    "Content-Description: forwarded\n"
    "\n"
    "From: Carol <carol@example.net>\n"
    "Subject: inner\n"
    "Date: Wed, 2 Oct 2024 08:00:00 +0000\n"
    "\n"
    "Inner body\n"
    "line two\n"
    "--outer--\n"
    "epilogue\n");

TEST(mime_parse, plain_text_message) {
  auto ms = parse(plain);
  EXPECT_EQ(ms.size, plain.size());
  EXPECT_EQ(ms.env.date, "Mon, 7 Feb 1994 21:52:25 -0800 (PST)");
  EXPECT_EQ(ms.env.subject, "afternoon meeting");  // unfolded, CRLF removed
  ASSERT_EQ(ms.env.from.size(), 1u);
  EXPECT_EQ(ms.env.from[0], (address{"Fred Foobar", std::nullopt, "foobar", "Blurdybloop.COM"}));
  EXPECT_EQ(ms.env.sender, ms.env.from);
  EXPECT_EQ(ms.env.reply_to, ms.env.from);
  EXPECT_EQ(ms.env.message_id, "<B27397-0100000@Blurdybloop.COM>");
  EXPECT_FALSE(ms.env.in_reply_to);
  EXPECT_EQ(ms.root.type, "text");
  EXPECT_EQ(ms.root.subtype, "plain");
  EXPECT_EQ(ms.root.params, (std::vector<parameter>{{"charset", "US-ASCII"}}));
  EXPECT_EQ(slice(plain, ms.root.body()), "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n");
  EXPECT_EQ(ms.body_size(), 55u);
  EXPECT_EQ(ms.body_lines(), 1u);
  EXPECT_EQ(ms.header_lines, 9u);  // 8 lines (one a continuation) + the empty line
  EXPECT_EQ(ms.header_size() + ms.body_size(), ms.size);
  EXPECT_TRUE(slice(plain, ms.root.header()).ends_with("US-ASCII\r\n\r\n"));
  EXPECT_EQ(ms.sent_date, 760686745);  // 1994-02-08 05:52:25 UTC
  EXPECT_EQ(ms.subject_decoded, "afternoon meeting");
  EXPECT_EQ(ms.from_name_decoded, "Fred Foobar");
  EXPECT_FALSE(ms.has_attachments);
}

TEST(mime_parse, multipart_alternative_with_rfc2047) {
  std::string raw = crlf(
      "From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg@example.de>\n"
      "Subject: =?UTF-8?B?R3LDvMOfZQ==?= aus Berlin\n"
      "Content-Type: multipart/alternative; boundary=\"b1\"\n"
      "\n"
      "--b1\n"
      "Content-Type: text/plain; charset=utf-8\n"
      "Content-Transfer-Encoding: Quoted-Printable\n"
      "\n"
      "Gr=C3=BC=C3=9Fe\n"
      "--b1\n"
      "Content-Type: text/html; charset=utf-8\n"
      "\n"
      "<p>Hi</p>\n"
      "--b1--\n");
  auto ms = parse(raw);
  EXPECT_EQ(ms.env.subject, "=?UTF-8?B?R3LDvMOfZQ==?= aus Berlin");
  EXPECT_EQ(ms.subject_decoded, "Gr\xC3\xBC\xC3\x9F" "e aus Berlin");
  EXPECT_EQ(ms.from_name_decoded, "J\xC3\xB6rg M\xC3\xBC" "ller");
  EXPECT_EQ(ms.env.from[0].name, "=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?=");
  ASSERT_EQ(ms.root.children.size(), 2u);
  auto const& text = ms.root.children[0];
  auto const& html = ms.root.children[1];
  EXPECT_EQ(text.encoding, "quoted-printable");
  EXPECT_EQ(slice(raw, text.body()), "Gr=C3=BC=C3=9Fe");
  EXPECT_EQ(text.lines, 1u);
  EXPECT_EQ(slice(raw, text.header()), "Content-Type: text/plain; charset=utf-8\r\n"
                                       "Content-Transfer-Encoding: Quoted-Printable\r\n\r\n");
  EXPECT_EQ(html.subtype, "html");
  EXPECT_EQ(slice(raw, html.body()), "<p>Hi</p>");
  EXPECT_EQ(ms.root.param("boundary"), "b1");
  EXPECT_FALSE(ms.env.date);
  EXPECT_FALSE(ms.sent_date);
  check_invariants(ms.root, 0, raw.size());
}

TEST(mime_parse, mixed_with_attachment_and_forwarded_message) {
  auto ms = parse(mixed);
  ASSERT_EQ(ms.root.children.size(), 3u);
  EXPECT_TRUE(ms.has_attachments);
  EXPECT_TRUE(slice(mixed, ms.root.body()).starts_with("preamble\r\n--outer\r\n"));
  EXPECT_TRUE(slice(mixed, ms.root.body()).ends_with("epilogue\r\n"));

  auto const& att = ms.root.children[1];
  EXPECT_EQ(att.type, "application");
  EXPECT_EQ(att.subtype, "pdf");
  EXPECT_EQ(att.disposition, "attachment");
  EXPECT_EQ(att.disposition_params,
            (std::vector<parameter>{{"filename", "r\xC3\xA9sum\xC3\xA9.pdf"}}));  // RFC 2231
  EXPECT_EQ(att.param("name"), "r.pdf");
  EXPECT_EQ(slice(mixed, att.body()), "JVBERi0xLjQK");

  auto const& fwd = ms.root.children[2];
  ASSERT_TRUE(fwd.is_message_rfc822());
  EXPECT_EQ(fwd.description, "forwarded");
  EXPECT_EQ(fwd.body().size(), 109u);
  EXPECT_EQ(fwd.lines, 6u);
  EXPECT_TRUE(slice(mixed, fwd.body()).starts_with("From: Carol"));
  EXPECT_TRUE(slice(mixed, fwd.body()).ends_with("line two"));
  EXPECT_EQ(fwd.message_envelope->subject, "inner");
  EXPECT_EQ(fwd.message_envelope->date, "Wed, 2 Oct 2024 08:00:00 +0000");
  EXPECT_EQ(fwd.message_envelope->from[0].mailbox, "carol");
  auto const& inner = fwd.children[0];
  EXPECT_EQ(slice(mixed, inner.body()), "Inner body\r\nline two");
  EXPECT_EQ(inner.lines, 2u);
  EXPECT_EQ(inner.params, (std::vector<parameter>{{"charset", "us-ascii"}}));  // RFC 2045 default
  check_invariants(ms.root, 0, mixed.size());
}

TEST(mime_parse, nested_multipart_numbering) {
  std::string raw = crlf(
      "Content-Type: multipart/mixed; boundary=A\n"
      "\n"
      "--A\n"
      "Content-Type: multipart/alternative; boundary=B\n"
      "\n"
      "--B\n"
      "\n"
      "plain\n"
      "--B\n"
      "Content-Type: text/html\n"
      "\n"
      "<b>html</b>\n"
      "--B--\n"
      "--A\n"
      "Content-Type: image/png\n"
      "Content-Disposition: inline; filename=a.png\n"
      "Content-ID: <img1@x>\n"
      "Content-Language: en, de\n"
      "Content-Location: http://example.com/a.png\n"
      "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\n"
      "\n"
      "iVBORw0KGgo=\n"
      "--A--\n");
  auto ms = parse(raw);
  ASSERT_EQ(ms.root.children.size(), 2u);
  auto const& alt = ms.root.children[0];
  ASSERT_EQ(alt.children.size(), 2u);
  EXPECT_EQ(slice(raw, alt.children[0].body()), "plain");
  EXPECT_EQ(alt.children[0].type, "text");  // no Content-Type: RFC 2045 default
  EXPECT_EQ(slice(raw, alt.children[1].body()), "<b>html</b>");
  // The multipart/alternative body runs from its first boundary to the end of its close line.
  EXPECT_EQ(slice(raw, alt.body()), "--B\r\n\r\nplain\r\n--B\r\nContent-Type: text/html\r\n\r\n<b>html</b>\r\n--B--");
  auto const& img = ms.root.children[1];
  EXPECT_EQ(img.id, "<img1@x>");
  EXPECT_EQ(img.language, (std::vector<std::string>{"en", "de"}));
  EXPECT_EQ(img.location, "http://example.com/a.png");
  EXPECT_EQ(img.md5, "Q2hlY2sgSW50ZWdyaXR5IQ==");
  EXPECT_EQ(img.disposition, "inline");
  EXPECT_FALSE(ms.has_attachments);  // an inline image is not an attachment
  check_invariants(ms.root, 0, raw.size());
}

TEST(mime_parse, group_addresses_and_defaults) {
  std::string raw = crlf(
      "From: a@x\n"
      "Sender: s@x\n"
      "To: Team: b@x, c@x;, d@x\n"
      "Cc: undisclosed-recipients:;\n"
      "Bcc:\n"
      "In-Reply-To: <p@x>\n"
      "\n");
  auto ms = parse(raw);
  EXPECT_EQ(ms.env.sender[0].mailbox, "s");
  EXPECT_EQ(ms.env.reply_to, ms.env.from);
  ASSERT_EQ(ms.env.to.size(), 5u);
  EXPECT_TRUE(ms.env.to[0].is_group_start());
  EXPECT_EQ(ms.env.to[0].mailbox, "Team");
  EXPECT_TRUE(ms.env.to[3].is_group_end());
  EXPECT_EQ(ms.env.to[4].mailbox, "d");
  ASSERT_EQ(ms.env.cc.size(), 2u);
  EXPECT_TRUE(ms.env.bcc.empty());
  EXPECT_EQ(ms.env.in_reply_to, "<p@x>");
  EXPECT_EQ(ms.body_size(), 0u);
}

TEST(mime_parse, empty_input) {
  auto ms = parse("");
  EXPECT_EQ(ms.size, 0u);
  EXPECT_EQ(ms.root.type, "text");
  EXPECT_EQ(ms.root.body(), (byte_range{0, 0}));
  EXPECT_EQ(ms.header_lines, 0u);
  EXPECT_EQ(ms.env, envelope{});
}

TEST(mime_parse, boundary_never_appears_gives_one_empty_part) {
  std::string raw = crlf("Content-Type: multipart/mixed; boundary=zzz\n\nno parts here\n");
  auto ms = parse(raw);
  ASSERT_EQ(ms.root.children.size(), 1u);
  EXPECT_EQ(ms.root.children[0].body(), (byte_range{raw.size(), raw.size()}));
  check_invariants(ms.root, 0, raw.size());
}

TEST(mime_parse, multipart_without_boundary_parameter) {
  std::string raw = crlf("Content-Type: multipart/mixed\n\n--x\n\nbody\n");
  auto ms = parse(raw);
  EXPECT_EQ(ms.root.children.size(), 1u);
  check_invariants(ms.root, 0, raw.size());
}

TEST(mime_parse, missing_close_delimiter_runs_to_end) {
  std::string raw = crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--b\n\ntwo\ntruncated");
  auto ms = parse(raw);
  ASSERT_EQ(ms.root.children.size(), 2u);
  EXPECT_EQ(slice(raw, ms.root.children[1].body()), "two\r\ntruncated");
  EXPECT_EQ(ms.root.children[1].lines, 2u);
}

TEST(mime_parse, boundary_lookalikes_and_padding) {
  std::string raw = crlf(
      "Content-Type: multipart/mixed; boundary=b\n\n"
      "--b  \n\n"   // transport padding after the delimiter is allowed
      "--bx is not a boundary\n"
      "--b--x neither\n"
      "--b-- \n");
  auto ms = parse(raw);
  ASSERT_EQ(ms.root.children.size(), 1u);
  EXPECT_EQ(slice(raw, ms.root.children[0].body()), "--bx is not a boundary\r\n--b--x neither");
}

TEST(mime_parse, parent_boundary_ends_unterminated_child_multipart) {
  std::string raw = crlf(
      "Content-Type: multipart/mixed; boundary=outer\n\n"
      "--outer\n"
      "Content-Type: multipart/alternative; boundary=inner\n\n"
      "--inner\n\nA\n"  // no --inner-- before the parent's next delimiter
      "--outer\n\nB\n"
      "--outer--\n");
  auto ms = parse(raw);
  ASSERT_EQ(ms.root.children.size(), 2u);
  ASSERT_EQ(ms.root.children[0].children.size(), 1u);
  EXPECT_EQ(slice(raw, ms.root.children[0].children[0].body()), "A");
  EXPECT_EQ(slice(raw, ms.root.children[1].body()), "B");
}

TEST(mime_parse, garbage_headers_and_8bit) {
  std::string raw =
      "\x01\x02garbage line\r\n"
      "Subject: caf\xE9 \xC3\xBC\r\n"
      "Content-Type: ;;;\r\n"
      "\r\n"
      "body \xFF\r\n";
  auto ms = parse(raw);
  EXPECT_EQ(ms.env.subject, "caf\xE9 \xC3\xBC");  // raw bytes kept for ENVELOPE
  EXPECT_EQ(ms.root.type, "text");                   // invalid Content-Type: RFC 2045 default
  EXPECT_EQ(ms.root.params, (std::vector<parameter>{{"charset", "us-ascii"}}));
  EXPECT_EQ(slice(raw, ms.root.body()), "body \xFF\r\n");
  EXPECT_FALSE(ms.subject_decoded.empty());
}

TEST(mime_parse, bare_lf_message) {
  std::string raw = "Subject: lf\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b--\n";
  auto ms = parse(raw);
  ASSERT_EQ(ms.root.children.size(), 1u);
  EXPECT_EQ(slice(raw, ms.root.children[0].body()), "x");
}

TEST(mime_parse, digest_children_default_to_message) {
  std::string raw = crlf(
      "Content-Type: multipart/digest; boundary=d\n\n"
      "--d\n\nSubject: one\n\nfirst\n"
      "--d--\n");
  auto ms = parse(raw);
  ASSERT_EQ(ms.root.children.size(), 1u);
  auto const& m = ms.root.children[0];
  ASSERT_TRUE(m.is_message_rfc822());
  EXPECT_EQ(m.message_envelope->subject, "one");
  EXPECT_EQ(slice(raw, m.children[0].body()), "first");
}

TEST(mime_parse, encoded_message_rfc822_is_a_leaf) {
  std::string raw = crlf("Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\nU3ViamVjdDogeA0KDQp5\n");
  auto ms = parse(raw);
  EXPECT_EQ(ms.root.type, "application");
  EXPECT_TRUE(ms.root.children.empty());
}

TEST(mime_parse, top_level_message_rfc822) {
  std::string raw = crlf("Subject: outer\nContent-Type: message/rfc822\n\nSubject: inner\n\nhi\n");
  auto ms = parse(raw);
  ASSERT_TRUE(ms.root.is_message_rfc822());
  EXPECT_EQ(ms.root.message_envelope->subject, "inner");
  EXPECT_EQ(slice(raw, ms.root.children[0].body()), "hi\r\n");
}

std::string nested_multiparts(int levels) {
  std::string raw;
  for (int i = 0; i < levels; ++i)
    raw += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\r\n\r\n--b" +
           std::to_string(i) + "\r\n";
  raw += "\r\nleaf\r\n";
  return raw;
}

TEST(mime_parse, nesting_depth_is_capped) {
  auto raw = nested_multiparts(500);
  auto ms = parse(raw);
  EXPECT_LE(depth_of(ms.root), 65u);
  check_invariants(ms.root, 0, raw.size());
  parse_limits small;
  small.max_depth = 3;
  auto capped = parse(raw, small);
  EXPECT_EQ(depth_of(capped.root), 4u);  // three multiparts, then an opaque leaf
}

TEST(mime_parse, nested_messages_are_capped) {
  std::string raw;
  for (int i = 0; i < 300; ++i) raw += "Content-Type: message/rfc822\r\n\r\n";
  raw += "Subject: deep\r\n\r\nx";
  auto ms = parse(raw);
  EXPECT_LE(depth_of(ms.root), 65u);
  check_invariants(ms.root, 0, raw.size());
}

TEST(mime_parse, part_count_is_capped) {
  std::string raw = "Content-Type: multipart/mixed; boundary=p\r\n\r\n";
  for (int i = 0; i < 20000; ++i) raw += "--p\r\n\r\nx\r\n";
  raw += "--p--\r\n";
  auto ms = parse(raw);
  EXPECT_LE(count_parts(ms.root), 10000u);
  EXPECT_GE(count_parts(ms.root), 9999u);
  check_invariants(ms.root, 0, raw.size());
}

// The input: 63 nested multiparts around lines that all start with
// '-' (each one a boundary candidate at every level). Before the scan budget
// every level rescanned everything: 63 passes. Now the cost is linear.
TEST(mime_parse, nested_multiparts_over_dash_lines_cost_is_linear) {
  std::string raw = nested_multiparts(63);
  raw.reserve(raw.size() + 3 * 1'000'000 + 1000);
  for (int i = 0; i < 1'000'000; ++i) raw += "-\r\n";
  for (int i = 62; i >= 0; --i) raw += "--b" + std::to_string(i) + "--\r\n";
  parse_limits limits;
  parse_cost cost;
  auto ms = parse_message(raw, limits, &cost);
  ASSERT_TRUE(ms);
  check_invariants(ms->root, 0, raw.size());
  EXPECT_LE(cost.scanned_octets, (limits.max_scan_passes + 2) * raw.size() + 64 * 1024);
  EXPECT_GE(depth_of(ms->root), 8u);  // the first levels are still split
  EXPECT_EQ(ms->size, raw.size());
}

TEST(mime_parse, scan_budget_leaves_small_messages_alone) {
  auto raw = nested_multiparts(40);
  parse_cost cost;
  auto ms = parse_message(raw, {}, &cost);
  ASSERT_TRUE(ms);
  EXPECT_EQ(depth_of(ms->root), 41u);
  EXPECT_EQ(cost.parts, 41u);
}

TEST(mime_parse, size_limit) {
  parse_limits tiny;
  tiny.max_message_bytes = 10;
  auto r = parse_message(plain, tiny);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, make_error_code(errc::limit_exceeded));
}

// Truncation at every byte: never crashes, offsets always nest.
TEST(mime_parse, every_truncation_point) {
  for (std::size_t n = 0; n <= mixed.size(); ++n) {
    std::string cut = mixed.substr(0, n);
    auto ms = parse(cut);
    ASSERT_EQ(ms.size, n);
    check_invariants(ms.root, 0, n);
  }
}

TEST(mime_parse, random_bytes_and_mutations) {
  std::mt19937 rng(12345);
  std::string alphabet = "-\r\n:;=\"<>@,()abc \t\x80\xFF";
  for (int round = 0; round < 400; ++round) {
    std::string raw = mixed;
    int edits = 1 + static_cast<int>(rng() % 20);
    for (int e = 0; e < edits; ++e)
      raw[rng() % raw.size()] = alphabet[rng() % alphabet.size()];
    auto ms = parse(raw);
    check_invariants(ms.root, 0, raw.size());
  }
  for (int round = 0; round < 100; ++round) {
    std::string raw(rng() % 300, '\0');
    for (char& c : raw) c = static_cast<char>(rng());
    auto ms = parse(raw);
    check_invariants(ms.root, 0, raw.size());
  }
}

TEST(mime_parse, concurrent_first_use) {
  std::vector<std::thread> threads;
  std::vector<std::string> subjects(4);
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      auto r = parse_message(mixed);
      if (r) subjects[i] = r->subject_decoded;
    });
  for (auto& t : threads) t.join();
  for (auto const& s : subjects) EXPECT_EQ(s, "report");
}

}  // namespace
}  // namespace posta::mail::mime
