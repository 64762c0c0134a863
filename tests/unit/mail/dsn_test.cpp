// Tests for RFC 3464 failure notices: header fields, the delivery-status
// fields, NOTIFY and RET rules, line limits, boundary safety, and the MIME
// structure as GMime parses it.
#include "mail/delivery/dsn.hpp"

#include <gmime/gmime.h>
#include <gtest/gtest.h>

#include <memory>

namespace posta::mail::delivery {
namespace {

constexpr std::string_view original =
    "From: Alice <alice@example.com>\r\n"
    "To: bob@remote.test\r\n"
    "Subject: Hello\r\n"
    "Message-ID: <m1@example.com>\r\n"
    "\r\n"
    "Body line 1\r\n"
    "SECRET-BODY\r\n";

dsn_input sample() {
  dsn_input in;
  in.reporting_mta = "mx.example.org";
  in.envelope_id = "QQ314159";
  in.arrival_date = "Tue, 1 Jul 2025 10:00:00 +0000";
  in.original_sender = "alice@example.com";
  in.original_message = std::string(original);
  in.recipients.push_back({.final_recipient = "bob@remote.test",
                           .original_recipient = "rfc822;Bob@Remote.test",
                           .notify = std::nullopt,
                           .status = "5.2.2",
                           .diagnostic = "smtp; 552 5.2.2 Mailbox full",
                           .action = "failed"});
  return in;
}

std::string build(dsn_input const& in, std::string_view boundary = "b0UND4ry") {
  auto r = build_failure_dsn(in, "dsn1@mx.example.org", "Tue, 1 Jul 2025 10:05:00 +0000", boundary);
  EXPECT_TRUE(r);
  return r ? *r : std::string();
}

// Every line ends in CRLF and holds at most 998 octets before it.
void expect_wire_lines(std::string_view m) {
  ASSERT_GE(m.size(), 2u);
  EXPECT_EQ(m.substr(m.size() - 2), "\r\n");
  std::size_t line = 0;
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (m[i] == '\r') {
      ASSERT_TRUE(i + 1 < m.size() && m[i + 1] == '\n') << "bare CR at " << i;
      ++i;
      line = 0;
      continue;
    }
    ASSERT_NE(m[i], '\n') << "bare LF at " << i;
    ++line;
    ASSERT_LE(line, 998u) << "long line at " << i;
  }
}

// The body between "\r\n--b\r\n" + part headers and the next delimiter.
std::string_view part_body(std::string_view m, std::string_view boundary, int index) {
  std::string const delim = "\r\n--" + std::string(boundary);
  std::size_t pos = 0;
  for (int i = 0; i <= index; ++i) pos = m.find(delim, pos) + delim.size();
  auto const body = m.find("\r\n\r\n", pos) + 4;
  return m.substr(body, m.find(delim, body) - body);
}

TEST(Dsn, TopHeaderFields) {
  auto const m = build(sample());
  auto const head = m.substr(0, m.find("\r\n\r\n") + 2);
  EXPECT_EQ(head,
            "From: \"Mail Delivery System\" <MAILER-DAEMON@mx.example.org>\r\n"
            "To: <alice@example.com>\r\n"
            "Subject: Undelivered Mail Returned to Sender\r\n"
            "Date: Tue, 1 Jul 2025 10:05:00 +0000\r\n"
            "Message-ID: <dsn1@mx.example.org>\r\n"
            "Auto-Submitted: auto-replied\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: multipart/report; report-type=delivery-status;\r\n"
            " boundary=\"b0UND4ry\"\r\n");
  expect_wire_lines(m);
  EXPECT_FALSE(is_8bit(m));
  EXPECT_EQ(m.substr(m.size() - 14), "--b0UND4ry--\r\n");
}

TEST(Dsn, DeliveryStatusFields) {
  auto in = sample();
  in.recipients.push_back({.final_recipient = "dave@remote.test", .notify = notify_flags{.failure = true},
                           .status = "5.1.1", .diagnostic = "smtp; 550 5.1.1 No such user"});
  auto const m = build(in);
  EXPECT_EQ(part_body(m, "b0UND4ry", 1),
            "Reporting-MTA: dns; mx.example.org\r\n"
            "Original-Envelope-Id: QQ314159\r\n"
            "Arrival-Date: Tue, 1 Jul 2025 10:00:00 +0000\r\n"
            "\r\n"
            "Original-Recipient: rfc822;Bob@Remote.test\r\n"
            "Final-Recipient: rfc822; bob@remote.test\r\n"
            "Action: failed\r\n"
            "Status: 5.2.2\r\n"
            "Diagnostic-Code: smtp; 552 5.2.2 Mailbox full\r\n"
            "\r\n"
            "Final-Recipient: rfc822; dave@remote.test\r\n"
            "Action: failed\r\n"
            "Status: 5.1.1\r\n"
            "Diagnostic-Code: smtp; 550 5.1.1 No such user\r\n");
  auto const text = part_body(m, "b0UND4ry", 0);
  EXPECT_NE(text.find("<bob@remote.test>: smtp; 552 5.2.2 Mailbox full"), std::string_view::npos) << text;
  EXPECT_NE(text.find("<dave@remote.test>: smtp; 550 5.1.1 No such user"), std::string_view::npos) << text;
  EXPECT_NE(text.find("mx.example.org"), std::string_view::npos);
}

TEST(Dsn, OptionalFieldsLeftOutAndBadValuesReplaced) {
  auto in = sample();
  in.envelope_id.reset();
  in.recipients[0].original_recipient = "bob@remote.test";  // no type: rfc822 assumed
  in.recipients[0].status = "9.9";
  in.recipients[0].diagnostic = "mailbox is full";           // no type: ours
  in.recipients[0].action = "FAILED";
  auto const status = std::string(part_body(build(in), "b0UND4ry", 1));
  EXPECT_EQ(status.find("Original-Envelope-Id"), std::string::npos);
  EXPECT_NE(status.find("Original-Recipient: rfc822;bob@remote.test\r\n"), std::string::npos);
  EXPECT_NE(status.find("Status: 5.0.0\r\n"), std::string::npos);
  EXPECT_NE(status.find("Action: failed\r\n"), std::string::npos);
  EXPECT_NE(status.find("Diagnostic-Code: x-posta; mailbox is full\r\n"), std::string::npos);
  in.recipients[0].diagnostic.clear();
  EXPECT_EQ(std::string(part_body(build(in), "b0UND4ry", 1)).find("Diagnostic-Code"), std::string::npos);
}

TEST(Dsn, RetHeadersIsTheDefault) {
  for (auto ret : {dsn_ret::unspecified, dsn_ret::headers}) {
    auto in = sample();
    in.ret = ret;
    auto const m = build(in);
    EXPECT_NE(m.find("Content-Type: text/rfc822-headers\r\n"), std::string::npos);
    EXPECT_EQ(m.find("message/rfc822"), std::string::npos);
    EXPECT_EQ(part_body(m, "b0UND4ry", 2), std::string(original.substr(0, original.find("\r\n\r\n") + 2)));
    EXPECT_EQ(m.find("SECRET-BODY"), std::string::npos);
  }
}

TEST(Dsn, RetFullReturnsTheWholeMessage) {
  auto in = sample();
  in.ret = dsn_ret::full;
  auto const m = build(in);
  EXPECT_NE(m.find("Content-Type: message/rfc822\r\n"), std::string::npos);
  EXPECT_EQ(m.find("rfc822-headers"), std::string::npos);
  EXPECT_EQ(part_body(m, "b0UND4ry", 2), original);
  EXPECT_NE(part_body(m, "b0UND4ry", 0).find("Your message is attached."), std::string_view::npos);
}

TEST(Dsn, RetFullFallsBackToHeadersWhenItCannotRide) {
  auto in = sample();
  in.ret = dsn_ret::full;
  in.original_message += std::string(1200, 'x') + "\r\n";  // a line past 998
  auto m = build(in);
  EXPECT_NE(m.find("text/rfc822-headers"), std::string::npos);
  EXPECT_NE(part_body(m, "b0UND4ry", 0).find("could not be returned whole"), std::string_view::npos);
  in = sample();
  in.ret = dsn_ret::full;
  in.max_full_return = 50;
  m = build(in);
  EXPECT_NE(m.find("text/rfc822-headers"), std::string::npos);
  EXPECT_EQ(m.find("SECRET-BODY"), std::string::npos);
  in = sample();
  in.ret = dsn_ret::full;
  in.original_message += std::string("nul\0here\r\n", 10);
  EXPECT_NE(build(in).find("text/rfc822-headers"), std::string::npos);
}

TEST(Dsn, NullSenderNeverGetsOne) {
  auto in = sample();
  in.original_sender.clear();
  EXPECT_FALSE(build_failure_dsn(in, "x@y", "date", "b"));
}

TEST(Dsn, NotifyRulesTable) {
  struct c {
    std::optional<notify_flags> notify;
    std::string action;
    bool wanted;
  } const cases[] = {
      {std::nullopt, "failed", true},
      {std::nullopt, "delayed", true},
      {std::nullopt, "delivered", false},
      {notify_flags{.never = true}, "failed", false},
      {notify_flags{.never = true, .failure = true}, "failed", false},  // NEVER wins
      {notify_flags{.failure = true}, "failed", true},
      {notify_flags{.success = true, .failure = true, .delay = true}, "failed", true},
      {notify_flags{.success = true}, "failed", false},
      {notify_flags{.delay = true}, "failed", false},
      {notify_flags{.success = true, .delay = true}, "failed", false},
      {notify_flags{}, "failed", false},
      {notify_flags{.delay = true}, "delayed", true},
      {notify_flags{.failure = true}, "delayed", false},
      {notify_flags{.success = true}, "delivered", true},
      {notify_flags{.success = true}, "relayed", true},
      {notify_flags{.failure = true}, "bogus", true},  // unknown action reports a failure
  };
  for (auto const& t : cases) {
    dsn_recipient r{.final_recipient = "x@y", .notify = t.notify, .action = t.action};
    EXPECT_EQ(wants_notice(r), t.wanted) << t.action;
  }
}

TEST(Dsn, RecipientsNotWantingItAreLeftOut) {
  auto in = sample();
  in.recipients[0].notify = notify_flags{.success = true, .delay = true};
  EXPECT_FALSE(build_failure_dsn(in, "x@y", "date", "b"));
  in.recipients[0].notify = notify_flags{.never = true};
  EXPECT_FALSE(build_failure_dsn(in, "x@y", "date", "b"));

  in.recipients.push_back({.final_recipient = "carol@remote.test", .notify = notify_flags{.failure = true},
                           .status = "5.7.1", .diagnostic = "smtp; 550 5.7.1 Refused"});
  auto const m = build(in);
  // NOTIFY=NEVER: bob is in neither report part (the returned headers still name him).
  EXPECT_EQ(part_body(m, "b0UND4ry", 0).find("bob@remote.test"), std::string::npos);
  EXPECT_EQ(part_body(m, "b0UND4ry", 1).find("bob@remote.test"), std::string::npos);
  EXPECT_NE(m.find("Final-Recipient: rfc822; carol@remote.test"), std::string::npos);
}

TEST(Dsn, QuotedLocalPartsAndMessageIdForms) {
  auto in = sample();
  in.original_sender = "john doe@example.com";
  in.recipients[0].final_recipient = "a\"b@remote.test";
  auto const m = build(in);
  EXPECT_NE(m.find("To: <\"john doe\"@example.com>\r\n"), std::string::npos);
  EXPECT_NE(m.find("Final-Recipient: rfc822; \"a\\\"b\"@remote.test\r\n"), std::string::npos);
  in.original_sender = "\"john doe\"@example.com";  // already quoted: kept
  EXPECT_NE(build(in).find("To: <\"john doe\"@example.com>\r\n"), std::string::npos);
  auto const a = build_failure_dsn(sample(), "<id@host>", "d", "b");
  auto const b = build_failure_dsn(sample(), "id@host", "d", "b");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  EXPECT_NE(a->find("Message-ID: <id@host>\r\n"), std::string::npos);
}

TEST(Dsn, HostileValuesCannotInjectOrOverflow) {
  auto in = sample();
  in.recipients[0].diagnostic = "smtp; 550 bad\r\nBcc: victim@example.net\r\n\r\n--b0UND4ry\r\nX: " +
                                std::string(3000, 'y') + " " + std::string(40, 'w') + std::string(500, ' ') + "end";
  in.recipients[0].final_recipient = "evil\r\nBcc: x@y@remote.test";
  in.envelope_id = std::string(1500, 'e');
  in.original_message = "Subject: " + std::string(2500, 's') + "\r\nX: a\rY: b\nZ: c\r\n\r\nbody\r\n";
  auto const m = build(in);
  expect_wire_lines(m);
  EXPECT_EQ(m.find("\r\nBcc:"), std::string::npos);
  // The hostile "--b0UND4ry" forces a longer boundary, so the delimiter the
  // diagnostic carries does not end any part.
  auto const b_at = m.find("boundary=\"") + 10;
  auto const boundary = m.substr(b_at, m.find('"', b_at) - b_at);
  EXPECT_NE(boundary, "b0UND4ry");
  EXPECT_EQ(boundary.substr(0, 8), "b0UND4ry");
  EXPECT_NE(m.find("\r\nZ: c\r\n"), std::string::npos);  // bare CR and LF made CRLF
}

TEST(Dsn, BoundaryAvoidsEveryVariantInTheOriginal) {
  auto in = sample();
  in.ret = dsn_ret::full;
  std::string body;
  for (char const c : std::string_view("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")) {
    body += "--b0UND4ry" + std::string(1, c) + "\r\n--b0UND4ry0" + std::string(1, c) + "\r\n";
  }
  in.original_message = "Subject: x\r\n\r\n" + body;
  auto const m = build(in);
  auto const b_at = m.find("boundary=\"") + 10;
  auto const boundary = std::string(m.substr(b_at, m.find('"', b_at) - b_at));
  EXPECT_EQ(in.original_message.find("--" + boundary), std::string::npos) << boundary;
  EXPECT_LE(boundary.size(), 70u);
  EXPECT_EQ(part_body(m, boundary, 2), in.original_message);
}

TEST(Dsn, BadBoundaryArgumentGetsTheFallback) {
  for (std::string_view bad : {"", "has space", "quote\"d", "x\r\ny"}) {
    auto const m = build(sample(), bad);
    EXPECT_NE(m.find("boundary=\"=_posta_dsn_part_boundary\""), std::string::npos) << bad;
  }
  auto const m = build(sample(), std::string(71, 'a'));
  EXPECT_NE(m.find("boundary=\"=_posta_dsn_part_boundary\""), std::string::npos);
}

TEST(Dsn, EightBitOriginalIsDeclared) {
  auto in = sample();
  in.ret = dsn_ret::full;
  in.original_message = "Subject: caf\xc3\xa9\r\n\r\nna\xc3\xafve\r\n";
  auto const m = build(in);
  EXPECT_TRUE(is_8bit(m));
  EXPECT_NE(m.find("MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status;\r\n"
                   " boundary=\"b0UND4ry\"\r\nContent-Transfer-Encoding: 8bit\r\n"),
            std::string::npos);
  EXPECT_NE(m.find("Content-Type: message/rfc822\r\nContent-Transfer-Encoding: 8bit\r\n"), std::string::npos);
  EXPECT_EQ(build(sample()).find("8bit"), std::string::npos);
}

TEST(Dsn, HeaderBlockTable) {
  struct c {
    std::string_view in;
    std::string_view out;
  } const cases[] = {
      {"A: 1\r\nB: 2\r\n\r\nbody\r\n", "A: 1\r\nB: 2\r\n"},
      {"A: 1\r\n folded\r\n\r\nbody", "A: 1\r\n folded\r\n"},
      {"A: 1\nB: 2\n\nbody", "A: 1\nB: 2\n"},
      {"A: 1\r\n\nbody", "A: 1\r\n"},
      {"\r\nbody", ""},
      {"\nbody", ""},
      {"A: 1\r\nB: 2\r\n", "A: 1\r\nB: 2\r\n"},  // all header
      {"A: 1", "A: 1"},
      {"", ""},
      {"A: x\r\r\nB: 2\r\n\r\n", "A: x\r\r\nB: 2\r\n"},  // a stray CR is no empty line
  };
  for (auto const& t : cases) EXPECT_EQ(header_block(t.in), t.out) << t.in;
}

// ---- MIME structure as an independent parser (GMime) sees it.

struct gmime_env {
  gmime_env() { g_mime_init(); }
};

template <class T>
struct g_unref {
  void operator()(T* p) const { g_object_unref(p); }
};
template <class T>
using gptr = std::unique_ptr<T, g_unref<T>>;

gptr<GMimeMessage> parse(std::string const& raw) {
  static gmime_env const env;
  gptr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  gptr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  return gptr<GMimeMessage>(g_mime_parser_construct_message(parser.get(), nullptr));
}

std::string type_of(GMimeObject* o) {
  auto* ct = g_mime_object_get_content_type(o);
  return std::string(g_mime_content_type_get_media_type(ct)) + "/" + g_mime_content_type_get_media_subtype(ct);
}

std::string leaf_content(GMimeObject* o) {
  gptr<GMimeStream> out(g_mime_stream_mem_new());
  g_mime_data_wrapper_write_to_stream(g_mime_part_get_content(GMIME_PART(o)), out.get());
  auto* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out.get()));
  return std::string(reinterpret_cast<char const*>(bytes->data), bytes->len);
}

void expect_structure(std::string const& raw, std::string const& boundary, bool full) {
  auto msg = parse(raw);
  ASSERT_TRUE(msg);
  EXPECT_STREQ(g_mime_message_get_subject(msg.get()), "Undelivered Mail Returned to Sender");
  GMimeObject* top = g_mime_message_get_mime_part(msg.get());
  ASSERT_TRUE(GMIME_IS_MULTIPART(top));
  EXPECT_EQ(type_of(top), "multipart/report");
  EXPECT_STREQ(g_mime_content_type_get_parameter(g_mime_object_get_content_type(top), "report-type"),
               "delivery-status");
  auto* mp = GMIME_MULTIPART(top);
  EXPECT_EQ(g_mime_multipart_get_boundary(mp), boundary);
  ASSERT_EQ(g_mime_multipart_get_count(mp), 3);
  EXPECT_EQ(type_of(g_mime_multipart_get_part(mp, 0)), "text/plain");
  EXPECT_EQ(type_of(g_mime_multipart_get_part(mp, 1)), "message/delivery-status");
  auto const status = leaf_content(g_mime_multipart_get_part(mp, 1));
  EXPECT_NE(status.find("Final-Recipient: rfc822; bob@remote.test"), std::string::npos) << status;
  GMimeObject* third = g_mime_multipart_get_part(mp, 2);
  if (full) {
    EXPECT_EQ(type_of(third), "message/rfc822");
    ASSERT_TRUE(GMIME_IS_MESSAGE_PART(third));
    auto* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(third));
    ASSERT_NE(inner, nullptr);
    EXPECT_STREQ(g_mime_message_get_subject(inner), "Hello");
  } else {
    EXPECT_EQ(type_of(third), "text/rfc822-headers");
    auto const headers = leaf_content(third);
    EXPECT_NE(headers.find("Subject: Hello"), std::string::npos);
    EXPECT_EQ(headers.find("SECRET-BODY"), std::string::npos);
  }
}

TEST(Dsn, GMimeSeesThreePartsRetHeaders) { expect_structure(build(sample()), "b0UND4ry", false); }

TEST(Dsn, GMimeSeesThreePartsRetFull) {
  auto in = sample();
  in.ret = dsn_ret::full;
  expect_structure(build(in), "b0UND4ry", true);
}

TEST(Dsn, GMimeSeesThreePartsDespiteHostileOriginal) {
  auto in = sample();
  in.ret = dsn_ret::full;
  in.original_message = std::string(original) + "--b0UND4ry\r\nContent-Type: text/plain\r\n\r\nforged\r\n--b0UND4ry--\r\n";
  auto const m = build(in);
  auto const b_at = m.find("boundary=\"") + 10;
  expect_structure(m, m.substr(b_at, m.find('"', b_at) - b_at), true);
}

}  // namespace
}  // namespace posta::mail::delivery
