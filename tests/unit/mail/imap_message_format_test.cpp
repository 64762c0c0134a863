// ENVELOPE / BODY / BODYSTRUCTURE strings and BODY[section] ranges (RFC 3501
// 6.4.5, 7.4.2, 9). Expected strings were written by hand from the RFC grammar.
#include "mail/imap/proto/message_format.hpp"

#include "mail/mime/parse_message.hpp"

#include <gtest/gtest.h>

#include <string>

namespace posta::mail::imap::proto {
namespace {

namespace mime = posta::mail::mime;

std::string crlf(std::string_view lf) {
  std::string out;
  for (char c : lf) {
    if (c == '\n') out.push_back('\r');
    out.push_back(c);
  }
  return out;
}

mime::message_structure parse(std::string const& raw) {
  auto r = mime::parse_message(raw);
  EXPECT_TRUE(r.has_value());
  return r ? *r : mime::message_structure{};
}

// The section's bytes, or "<none>".
std::string section(std::string const& raw, mime::message_structure const& ms,
                    std::vector<std::uint32_t> part, section_text text = section_text::none) {
  auto r = section_range(ms, section_spec{std::move(part), text});
  return r ? raw.substr(r->begin, r->size()) : "<none>";
}

std::string const plain = crlf(
    "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\n"
    "From: Fred Foobar <foobar@Blurdybloop.COM>\n"
    "Subject: afternoon meeting\n"
    "To: mooch@owatagu.siam.edu\n"
    "Message-Id: <B27397-0100000@Blurdybloop.COM>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\n"
    "\n"
    "Hello Joe, do you think we can meet at 3:30 tomorrow?\n");

std::string const alternative = crlf(
    "From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg@example.de>\n"
    "To: \"Doe, Jane\" <jane@example.com>, bob@example.org (Bob Smith)\n"
    "Cc: undisclosed-recipients:;\n"
    "Subject: =?UTF-8?B?R3LDvMOfZQ==?= aus Berlin\n"
    "Date: Tue, 1 Oct 2024 10:00:00 +0200\n"
    "Message-ID: <alt1@example.de>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/alternative; boundary=\"b1\"\n"
    "\n"
    "This is a multi-part message in MIME format.\n"
    "--b1\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "Gr=C3=BC=C3=9Fe\n"
    "--b1\n"
    "Content-Type: text/html; charset=utf-8\n"
    "\n"
    "<p>Hi</p>\n"
    "--b1--\n");

// No Date header; RFC 2231 filename; a forwarded message.
std::string const mixed = crlf(
    "From: Alice <alice@example.com>\n"
    "To: bob@example.org\n"
    "Subject: report\n"
    "Message-ID: <mixed1@example.com>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\n"
    "\n"
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
    "--outer--\n");

TEST(imap_message_format, plain_envelope_and_body) {
  auto ms = parse(plain);
  EXPECT_EQ(format_envelope(ms.env),
            "(\"Mon, 7 Feb 1994 21:52:25 -0800 (PST)\" \"afternoon meeting\" "
            "((\"Fred Foobar\" NIL \"foobar\" \"Blurdybloop.COM\")) "
            "((\"Fred Foobar\" NIL \"foobar\" \"Blurdybloop.COM\")) "
            "((\"Fred Foobar\" NIL \"foobar\" \"Blurdybloop.COM\")) "
            "((NIL NIL \"mooch\" \"owatagu.siam.edu\")) NIL NIL NIL "
            "\"<B27397-0100000@Blurdybloop.COM>\")");
  EXPECT_EQ(format_body_structure(ms, false),
            "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 55 1)");
  EXPECT_EQ(format_body_structure(ms, true),
            "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 55 1 NIL NIL NIL NIL)");
}

TEST(imap_message_format, alternative_envelope_groups_and_encoded_words) {
  auto ms = parse(alternative);
  std::string const joerg = "((\"=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?=\" NIL \"joerg\" \"example.de\"))";
  EXPECT_EQ(format_envelope(ms.env),
            "(\"Tue, 1 Oct 2024 10:00:00 +0200\" \"=?UTF-8?B?R3LDvMOfZQ==?= aus Berlin\" " + joerg +
                " " + joerg + " " + joerg +
                " ((\"Doe, Jane\" NIL \"jane\" \"example.com\")(\"Bob Smith\" NIL \"bob\" \"example.org\"))"
                " ((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) NIL NIL \"<alt1@example.de>\")");
  EXPECT_EQ(format_body_structure(ms, true),
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" 15 1 NIL NIL NIL NIL)"
            "(\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 9 1 NIL NIL NIL NIL)"
            " \"ALTERNATIVE\" (\"BOUNDARY\" \"b1\") NIL NIL NIL)");
  EXPECT_EQ(format_body_structure(ms, false),
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" 15 1)"
            "(\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 9 1) \"ALTERNATIVE\")");
}

TEST(imap_message_format, mixed_attachment_and_message_rfc822) {
  auto ms = parse(mixed);
  std::string const carol = "((\"Carol\" NIL \"carol\" \"example.net\"))";
  EXPECT_EQ(format_body_structure(ms, true),
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 13 1 NIL NIL NIL NIL)"
            "(\"APPLICATION\" \"PDF\" (\"NAME\" \"r.pdf\") NIL NIL \"BASE64\" 12 NIL"
            " (\"ATTACHMENT\" (\"FILENAME*\" \"utf-8''r%C3%A9sum%C3%A9.pdf\")) NIL NIL)"
            "(\"MESSAGE\" \"RFC822\" NIL NIL \"forwarded\" \"7BIT\" 109"
            " (\"Wed, 2 Oct 2024 08:00:00 +0000\" \"inner\" " + carol + " " + carol + " " + carol +
                " NIL NIL NIL NIL NIL)"
                " (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 20 2 NIL NIL NIL NIL)"
                " 6 NIL NIL NIL NIL)"
                " \"MIXED\" (\"BOUNDARY\" \"outer\") NIL NIL NIL)");
  // Missing Date: NIL; no Cc/Bcc/In-Reply-To.
  EXPECT_EQ(format_envelope(ms.env),
            "(NIL \"report\" ((\"Alice\" NIL \"alice\" \"example.com\")) "
            "((\"Alice\" NIL \"alice\" \"example.com\")) ((\"Alice\" NIL \"alice\" \"example.com\")) "
            "((NIL NIL \"bob\" \"example.org\")) NIL NIL NIL \"<mixed1@example.com>\")");
}

TEST(imap_message_format, extension_fields) {
  std::string raw = crlf(
      "Content-Type: multipart/related; boundary=A; type=\"text/html\"\n"
      "Content-Disposition: inline\n"
      "Content-Language: fr\n"
      "\n"
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
  EXPECT_EQ(format_body_structure(ms, true),
            "((\"IMAGE\" \"PNG\" NIL \"<img1@x>\" NIL \"7BIT\" 12 \"Q2hlY2sgSW50ZWdyaXR5IQ==\""
            " (\"INLINE\" (\"FILENAME\" \"a.png\")) (\"en\" \"de\") \"http://example.com/a.png\")"
            " \"RELATED\" (\"BOUNDARY\" \"A\" \"TYPE\" \"text/html\") (\"INLINE\" NIL) \"fr\" NIL)");
}

TEST(imap_message_format, strings_quoting_and_literals) {
  std::string out;
  append_string(out, "say \"hi\" \\ back");
  EXPECT_EQ(out, "\"say \\\"hi\\\" \\\\ back\"");
  out.clear();
  append_string(out, "Gr\xC3\xBC\xC3\x9F" "e");
  EXPECT_EQ(out, "{7}\r\nGr\xC3\xBC\xC3\x9F" "e");
  out.clear();
  append_string(out, "two\r\nlines");
  EXPECT_EQ(out, "{10}\r\ntwo\r\nlines");
  out.clear();
  append_string(out, std::string("a\0b", 3));
  EXPECT_EQ(out, "\"ab\"");
  out.clear();
  append_string(out, "");
  EXPECT_EQ(out, "\"\"");
  out.clear();
  append_nstring(out, std::nullopt);
  EXPECT_EQ(out, "NIL");
}

TEST(imap_message_format, eight_bit_header_becomes_literal) {
  auto ms = parse(crlf("Subject: Gr\xC3\xBC\xC3\x9F" "e\nFrom: \"Q\\\"uote\" <q@x>\n\n"));
  EXPECT_EQ(format_envelope(ms.env),
            "(NIL {7}\r\nGr\xC3\xBC\xC3\x9F" "e ((\"Q\\\"uote\" NIL \"q\" \"x\")) "
            "((\"Q\\\"uote\" NIL \"q\" \"x\")) ((\"Q\\\"uote\" NIL \"q\" \"x\")) NIL NIL NIL NIL NIL)");
}

TEST(imap_message_format, non_ascii_parameter_is_rfc2231_encoded) {
  auto ms = parse(crlf(
      "Content-Type: application/pdf; name=\"=?utf-8?B?w6TDtsO8LnBkZg==?=\"\n"
      "Content-Transfer-Encoding: base64\n\nAA==\n"));
  EXPECT_EQ(format_body_structure(ms, false),
            "(\"APPLICATION\" \"PDF\" (\"NAME*\" \"utf-8''%C3%A4%C3%B6%C3%BC.pdf\") NIL NIL \"BASE64\" 6)");
  EXPECT_TRUE(ms.has_attachments);
}

TEST(imap_message_format, empty_message) {
  auto ms = parse("");
  EXPECT_EQ(format_envelope(ms.env), "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
  EXPECT_EQ(format_body_structure(ms, true),
            "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 0 0 NIL NIL NIL NIL)");
}

TEST(imap_message_format, multipart_without_parts_still_has_one_body) {
  auto ms = parse(crlf("Content-Type: multipart/mixed; boundary=x\n\nnothing\n"));
  EXPECT_EQ(format_body_structure(ms, false),
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 0 0) \"MIXED\")");
  EXPECT_EQ(section(crlf("Content-Type: multipart/mixed; boundary=x\n\nnothing\n"), ms, {1}), "");
}

TEST(imap_message_format, sections_of_single_part_message) {
  auto ms = parse(plain);
  auto header = plain.substr(0, plain.find("\r\n\r\n") + 4);
  auto body = plain.substr(header.size());
  EXPECT_EQ(section(plain, ms, {}), plain);
  EXPECT_EQ(section(plain, ms, {}, section_text::header), header);
  EXPECT_EQ(section(plain, ms, {}, section_text::text), body);
  EXPECT_EQ(section(plain, ms, {1}), body);
  EXPECT_EQ(section(plain, ms, {1}, section_text::mime), header);
  EXPECT_EQ(section(plain, ms, {}, section_text::mime), "<none>");
  EXPECT_EQ(section(plain, ms, {2}), "<none>");
  EXPECT_EQ(section(plain, ms, {0}), "<none>");
  EXPECT_EQ(section(plain, ms, {1, 1}), "<none>");
  EXPECT_EQ(section(plain, ms, {1}, section_text::header), "<none>");
}

TEST(imap_message_format, sections_of_mixed_message) {
  auto ms = parse(mixed);
  EXPECT_EQ(section(mixed, ms, {1}), "See attached.");
  EXPECT_EQ(section(mixed, ms, {1}, section_text::mime),
            "Content-Type: text/plain; charset=us-ascii\r\n\r\n");
  EXPECT_EQ(section(mixed, ms, {2}), "JVBERi0xLjQK");
  EXPECT_EQ(section(mixed, ms, {2}, section_text::mime),
            "Content-Type: application/pdf; name=\"r.pdf\"\r\n"
            "Content-Transfer-Encoding: base64\r\n"
            "Content-Disposition: attachment;\r\n"
            " filename*=utf-8''r%C3%A9sum%C3%A9.pdf\r\n\r\n");
  std::string const inner_header =
      "From: Carol <carol@example.net>\r\nSubject: inner\r\nDate: Wed, 2 Oct 2024 08:00:00 +0000\r\n\r\n";
  EXPECT_EQ(section(mixed, ms, {3}), inner_header + "Inner body\r\nline two");
  EXPECT_EQ(section(mixed, ms, {3}, section_text::header), inner_header);
  EXPECT_EQ(section(mixed, ms, {3}, section_text::text), "Inner body\r\nline two");
  EXPECT_EQ(section(mixed, ms, {3, 1}), "Inner body\r\nline two");
  EXPECT_EQ(section(mixed, ms, {3}, section_text::mime),
            "Content-Type: message/rfc822\r\nContent-Description: forwarded\r\n\r\n");
  EXPECT_EQ(section(mixed, ms, {3, 2}), "<none>");
  EXPECT_EQ(section(mixed, ms, {4}), "<none>");
  EXPECT_EQ(section(mixed, ms, {2}, section_text::text), "<none>");
  EXPECT_EQ(section(mixed, ms, {2, 1}), "<none>");
  EXPECT_TRUE(section(mixed, ms, {}, section_text::text).starts_with("--outer\r\nContent-Type: text/plain"));
  EXPECT_TRUE(section(mixed, ms, {}, section_text::header).ends_with("boundary=\"outer\"\r\n\r\n"));
}

TEST(imap_message_format, sections_inside_forwarded_multipart) {
  std::string raw = crlf(
      "Content-Type: multipart/mixed; boundary=o\n\n"
      "--o\n"
      "Content-Type: message/rfc822\n\n"
      "Subject: fw\n"
      "Content-Type: multipart/alternative; boundary=i\n\n"
      "--i\n\none\n"
      "--i\nContent-Type: text/html\n\ntwo\n"
      "--i--\n"
      "--o--\n");
  auto ms = parse(raw);
  EXPECT_EQ(section(raw, ms, {1, 1}), "one");
  EXPECT_EQ(section(raw, ms, {1, 2}), "two");
  EXPECT_EQ(section(raw, ms, {1, 2}, section_text::mime), "Content-Type: text/html\r\n\r\n");
  EXPECT_EQ(section(raw, ms, {1, 1}, section_text::mime), "\r\n");
  EXPECT_EQ(section(raw, ms, {1}, section_text::header),
            "Subject: fw\r\nContent-Type: multipart/alternative; boundary=i\r\n\r\n");
  EXPECT_EQ(section(raw, ms, {1}, section_text::text),
            "--i\r\n\r\none\r\n--i\r\nContent-Type: text/html\r\n\r\ntwo\r\n--i--");
  EXPECT_EQ(section(raw, ms, {1, 3}), "<none>");
  EXPECT_EQ(section(raw, ms, {2}), "<none>");
}

TEST(imap_message_format, sections_of_top_level_message_rfc822) {
  std::string raw = crlf("Subject: outer\nContent-Type: message/rfc822\n\nSubject: inner\n\nhi\n");
  auto ms = parse(raw);
  EXPECT_EQ(section(raw, ms, {1}), "Subject: inner\r\n\r\nhi\r\n");
  EXPECT_EQ(section(raw, ms, {1}, section_text::header), "Subject: inner\r\n\r\n");
  EXPECT_EQ(section(raw, ms, {1}, section_text::text), "hi\r\n");
  EXPECT_EQ(section(raw, ms, {1, 1}), "hi\r\n");
  EXPECT_EQ(section(raw, ms, {}, section_text::header),
            "Subject: outer\r\nContent-Type: message/rfc822\r\n\r\n");
}

}  // namespace
}  // namespace posta::mail::imap::proto
