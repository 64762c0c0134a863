// Tests for SMTP path parsing (RFC 5321 4.1.2, 4.5.3.1, appendix C; RFC 6531),
// canonical forms, and the flags the relay policy relies on.
#include "mail/smtp/proto/address.hpp"
#include "mail/smtp/proto/grammar.hpp"

#include <gtest/gtest.h>

namespace posta::mail::smtp::proto {
namespace {

constexpr path_options fwd{path_role::forward, false};
constexpr path_options rev{path_role::reverse, false};
constexpr path_options fwd_utf8{path_role::forward, true};

struct good_case {
  std::string_view in;
  path_options opts;
  std::string local;
  std::string domain;
  bool quoted;
  bool relay_chars;
  std::string canonical;
};

TEST(SmtpAddress, ParsesValidPaths) {
  good_case const cases[] = {
      {"<user@example.org>", fwd, "user", "example.org", false, false, "<user@example.org>"},
      {"<John.Doe@Example.ORG>", fwd, "John.Doe", "example.org", false, false,
       "<John.Doe@example.org>"},
      {"<a!#$&'*+-/=?^_`{|}~z@x-y.example>", fwd, "a!#$&'*+-/=?^_`{|}~z", "x-y.example", false,
       true, "<a!#$&'*+-/=?^_`{|}~z@x-y.example>"},
      {"<\"john doe\"@example.org>", fwd, "john doe", "example.org", true, false,
       "<\"john doe\"@example.org>"},
      {"<\"plain\"@example.org>", fwd, "plain", "example.org", true, false, "<plain@example.org>"},
      {"<\"a\\\"b\\\\c\"@x>", fwd, "a\"b\\c", "x", true, false, "<\"a\\\"b\\\\c\"@x>"},
      {"<\"\"@x>", fwd, "", "x", true, false, "<\"\"@x>"},
      {"<\"a..b\"@x>", fwd, "a..b", "x", true, false, "<\"a..b\"@x>"},
      {"<user@[192.0.2.1]>", fwd, "user", "[192.0.2.1]", false, false, "<user@[192.0.2.1]>"},
      {"<user@[IPv6:2001:DB8::1]>", fwd, "user", "[IPv6:2001:db8::1]", false, false,
       "<user@[IPv6:2001:db8::1]>"},
      {"<user@[ipv6:::ffff:192.0.2.1]>", fwd, "user", "[IPv6:::ffff:192.0.2.1]", false, false,
       "<user@[IPv6:::ffff:192.0.2.1]>"},
      {"<@a.example,@b.example:user@c.example>", fwd, "user", "c.example", false, false,
       "<user@c.example>"},
      {"<Postmaster>", fwd, "Postmaster", "", false, false, "<Postmaster>"},
      {"<postmaster@example.org>", fwd, "postmaster", "example.org", false, false,
       "<postmaster@example.org>"},
      {"<localhost@localhost>", rev, "localhost", "localhost", false, false,
       "<localhost@localhost>"},
      {"<1@2>", rev, "1", "2", false, false, "<1@2>"},
      {"<j\xc3\xb6rg@b\xc3\xbc" "cher.example>", fwd_utf8, "j\xc3\xb6rg", "b\xc3\xbc" "cher.example",
       false, false, "<j\xc3\xb6rg@b\xc3\xbc" "cher.example>"},
      {"<\"\xe2\x9c\x89 x\"@example.org>", fwd_utf8, "\xe2\x9c\x89 x", "example.org", true, false,
       "<\"\xe2\x9c\x89 x\"@example.org>"},
  };
  for (auto const& c : cases) {
    auto p = parse_path(c.in, c.opts);
    ASSERT_TRUE(p) << c.in << " -> " << p.error().lines.at(0);
    ASSERT_TRUE(p->mailbox) << c.in;
    EXPECT_EQ(p->mailbox->local_part, c.local) << c.in;
    EXPECT_EQ(p->mailbox->domain, c.domain) << c.in;
    EXPECT_EQ(p->mailbox->was_quoted, c.quoted) << c.in;
    EXPECT_EQ(p->mailbox->has_relay_chars(), c.relay_chars) << c.in;
    EXPECT_EQ(to_string(*p), c.canonical) << c.in;
    // The canonical form parses back to the same address.
    auto again = parse_path(to_string(*p), c.opts);
    ASSERT_TRUE(again) << c.canonical;
    EXPECT_EQ(again->mailbox->local_part, p->mailbox->local_part);
    EXPECT_EQ(again->mailbox->domain, p->mailbox->domain);
  }
}

TEST(SmtpAddress, NullReversePathOnlyInMail) {
  auto p = parse_path("<>", rev);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->is_null());
  EXPECT_EQ(to_string(*p), "<>");
  auto r = parse_path("<>", fwd);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, 501);
  EXPECT_EQ(r.error().enhanced, "5.1.3");
}

TEST(SmtpAddress, PostmasterWithoutDomainOnlyInRcpt) {
  auto p = parse_path("<POSTMASTER>", fwd);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->mailbox->is_postmaster());
  EXPECT_TRUE(p->mailbox->domain.empty());
  auto r = parse_path("<postmaster>", rev);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, 501);
  EXPECT_EQ(r.error().enhanced, "5.1.7");
}

TEST(SmtpAddress, SourceRouteIsDroppedButRecorded) {
  auto p = parse_path("<@relay.example:user@dest.example>", fwd);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->had_source_route);
  EXPECT_EQ(to_string(*p), "<user@dest.example>");
  EXPECT_FALSE(parse_path("<user@dest.example>", fwd)->had_source_route);
}

struct relay_case {
  std::string_view in;
  bool relay_chars;
  std::string local;
};

// SECURITY: the open-relay tricks a policy must see through.
TEST(SmtpAddress, RelayTricksAreFlagged) {
  relay_case const cases[] = {
      {"<user%other.example@local.example>", true, "user%other.example"},
      {"<other.example!user@local.example>", true, "other.example!user"},
      {"<\"user@other.example\"@local.example>", true, "user@other.example"},
      {"<\"user%other\"@local.example>", true, "user%other"},
      {"<@local.example:user@other.example>", false, "user"},
      {"<user@local.example>", false, "user"},
  };
  for (auto const& c : cases) {
    auto p = parse_path(c.in, fwd);
    ASSERT_TRUE(p) << c.in;
    EXPECT_EQ(p->mailbox->has_relay_chars(), c.relay_chars) << c.in;
    EXPECT_EQ(p->mailbox->local_part, c.local) << c.in;
  }
  // The route form leaves the real destination visible.
  EXPECT_EQ(parse_path("<@local.example:user@other.example>", fwd)->mailbox->domain,
            "other.example");
}

struct bad_case {
  std::string_view in;
  path_options opts;
  int code;
  std::string_view enhanced;
};

TEST(SmtpAddress, RefusesInvalidPaths) {
  std::string long_local(65, 'a');
  std::string ok_local(64, 'a');
  std::string long_label(64, 'b');
  std::string long_domain;
  for (int i = 0; i < 64; ++i) long_domain += "abc.";
  long_domain += "org";  // 259 octets
  std::string path_257 = "<" + ok_local + "@" + std::string(63, 'c') + "." + std::string(63, 'd') +
                         "." + std::string(62, 'e') + ">";
  ASSERT_EQ(path_257.size(), 257u);
  std::string path_256 = path_257.substr(0, path_257.size() - 2) + ">";
  ASSERT_EQ(path_256.size(), 256u);
  ASSERT_TRUE(parse_path(path_256, fwd));
  ASSERT_TRUE(parse_path("<" + ok_local + "@x>", fwd));

  std::string const local_too_long = "<" + long_local + "@x>";
  std::string const label_too_long = "<a@" + long_label + ".org>";
  std::string const domain_too_long = "<a@" + long_domain + ">";
  bad_case const cases[] = {
      {"user@example.org", fwd, 501, "5.1.3"},
      {"<user@example.org", fwd, 501, "5.1.3"},
      {"<user>", fwd, 501, "5.1.3"},
      {"<user>", rev, 501, "5.1.7"},
      {"<@example.org>", fwd, 501, "5.1.3"},
      {"<user@>", fwd, 501, "5.1.3"},
      {"<.user@x>", fwd, 501, "5.1.3"},
      {"<user.@x>", fwd, 501, "5.1.3"},
      {"<us..er@x>", fwd, 501, "5.1.3"},
      {"<us er@x>", fwd, 501, "5.1.3"},
      {"<\"unterminated@x>", fwd, 501, "5.1.3"},
      {"<\"a\x01\"@x>", fwd, 501, "5.1.3"},
      {"<a@-x.org>", fwd, 501, "5.1.3"},
      {"<a@x-.org>", fwd, 501, "5.1.3"},
      {"<a@x..org>", fwd, 501, "5.1.3"},
      {"<a@x.org.>", fwd, 501, "5.1.3"},
      {"<a@x_y.org>", fwd, 501, "5.1.3"},
      {"<a@[256.1.1.1]>", fwd, 501, "5.1.3"},
      {"<a@[1.2.3]>", fwd, 501, "5.1.3"},
      {"<a@[1.2.3.4.5]>", fwd, 501, "5.1.3"},
      {"<a@[IPv6:1::2::3]>", fwd, 501, "5.1.3"},
      {"<a@[IPv6:12345::]>", fwd, 501, "5.1.3"},
      {"<a@[x-tag:stuff]>", fwd, 501, "5.1.3"},
      {"<a@[1.2.3.4>", fwd, 501, "5.1.3"},
      {"<@a.example:>", fwd, 501, "5.1.3"},
      {"<@a.example,user@x>", fwd, 501, "5.1.3"},
      {"<a@b> ", fwd, 501, "5.1.3"},
      {"<a@b>>", fwd, 501, "5.1.3"},
      {"<>", fwd, 501, "5.1.3"},
      {local_too_long, fwd, 553, "5.1.3"},
      {local_too_long, rev, 553, "5.1.7"},
      {label_too_long, fwd, 501, "5.1.3"},
      {domain_too_long, fwd, 553, "5.1.3"},
      {path_257, fwd, 501, "5.1.3"},
      {"<j\xc3\xb6rg@example.org>", fwd, 553, "5.6.7"},
      {"<jorg@b\xc3\xbc" "cher.example>", rev, 553, "5.6.7"},
      {"<\"\xc3\xb6\"@x>", fwd, 553, "5.6.7"},
      {"<a\xc3@x>", fwd_utf8, 501, "5.1.3"},              // truncated UTF-8
      {"<a\xc0\xaf@x>", fwd_utf8, 501, "5.1.3"},          // overlong
      {"<a\xed\xa0\x80@x>", fwd_utf8, 501, "5.1.3"},      // surrogate
      {"<a\xf4\x90\x80\x80@x>", fwd_utf8, 501, "5.1.3"},  // past U+10FFFF
  };
  for (auto const& c : cases) {
    auto p = parse_path(c.in, c.opts);
    ASSERT_FALSE(p) << c.in;
    EXPECT_EQ(p.error().code, c.code) << c.in;
    EXPECT_EQ(p.error().enhanced, c.enhanced) << c.in;
  }
}

TEST(SmtpAddress, PrefixReportsLength) {
  auto p = parse_path_prefix("<a@b> SIZE=10", rev);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->length, 5u);
  auto q = parse_path_prefix("<\"x> y\"@b> BODY=8BITMIME", rev);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->length, 10u);
  EXPECT_EQ(q->value.mailbox->local_part, "x> y");
}

TEST(SmtpAddress, BareMailbox) {
  auto a = parse_mailbox("Fred.Bloggs@Example.COM", fwd);
  ASSERT_TRUE(a);
  EXPECT_EQ(to_string(*a), "Fred.Bloggs@example.com");
  EXPECT_FALSE(parse_mailbox("<a@b>", fwd));
  EXPECT_FALSE(parse_mailbox("a@b c", fwd));
}

TEST(SmtpAddress, DomainOrLiteral) {
  EXPECT_EQ(parse_domain_or_literal("Mail.Example.ORG", false), "mail.example.org");
  EXPECT_EQ(parse_domain_or_literal("[10.0.0.1]", false), "[10.0.0.1]");
  EXPECT_EQ(parse_domain_or_literal("[IPv6:::1]", false), "[IPv6:::1]");
}

TEST(SmtpAddress, Ipv6LiteralForms) {
  for (char const* good : {"[IPv6:1:2:3:4:5:6:7:8]", "[IPv6:::]", "[IPv6:1::]", "[IPv6:1:2:3:4:5:6:7::]",
                           "[IPv6:1:2:3:4:5:6:1.2.3.4]", "[IPv6:::1.2.3.4]", "[IPv6:1::2:1.2.3.4]", "[IPv6:fe80::abcd]"})
    EXPECT_TRUE(parse_domain_or_literal(good, false)) << good;
  for (char const* bad : {"[IPv6:1:2:3:4:5:6:7]", "[IPv6:1:2:3:4:5:6:7:8:9]", "[IPv6:1:2:3:4:5:6:7:8::]",
                          "[IPv6::1]", "[IPv6:1:]", "[IPv6:1:::2]", "[IPv6:1.2.3.4::]", "[IPv6:1:2:3:4:5:6:7:1.2.3.4]",
                          "[IPv6:::1.2.3]", "[IPv6:::256.1.1.1]", "[IPv6:]", "[IPv6:1::2::3]"})
    EXPECT_FALSE(parse_domain_or_literal(bad, false)) << bad;
  EXPECT_FALSE(parse_domain_or_literal("my_pc", false));
  EXPECT_FALSE(parse_domain_or_literal("10.0.0.1 x", false));
  EXPECT_FALSE(parse_domain_or_literal("", false));
}

TEST(SmtpAddress, DotStringAndQuoting) {
  EXPECT_TRUE(is_dot_string("a.b"));
  EXPECT_TRUE(is_dot_string("\xc3\xa9t\xc3\xa9"));
  EXPECT_FALSE(is_dot_string(""));
  EXPECT_FALSE(is_dot_string("a..b"));
  EXPECT_FALSE(is_dot_string("a b"));
  EXPECT_FALSE(is_dot_string("a@b"));
  EXPECT_EQ(to_string(address{"a b", "x", true}), "\"a b\"@x");
  EXPECT_EQ(to_string(address{"a.b", "x", true}), "a.b@x");
}

TEST(SmtpAddress, NonAsciiDetection) {
  auto p = parse_path("<a@b\xc3\xbc.example>", fwd_utf8);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->mailbox->has_non_ascii());
  EXPECT_FALSE(parse_path("<a@b.example>", fwd_utf8)->mailbox->has_non_ascii());
}

TEST(SmtpGrammar, Utf8SequenceLength) {
  using grammar::utf8_sequence_length;
  EXPECT_EQ(utf8_sequence_length("\xc3\xa9", 0), 2u);
  EXPECT_EQ(utf8_sequence_length("\xe2\x82\xac", 0), 3u);
  EXPECT_EQ(utf8_sequence_length("\xf0\x9f\x93\xa7", 0), 4u);
  EXPECT_EQ(utf8_sequence_length("\xc1\xbf", 0), 0u);
  EXPECT_EQ(utf8_sequence_length("\xe0\x80\xaf", 0), 0u);
  EXPECT_EQ(utf8_sequence_length("\xf0\x9f\x93", 0), 0u);
  EXPECT_EQ(utf8_sequence_length("\x80", 0), 0u);
  EXPECT_EQ(utf8_sequence_length("a", 0), 0u);
  EXPECT_EQ(utf8_sequence_length("", 0), 0u);
}

}  // namespace
}  // namespace posta::mail::smtp::proto
