// Tests for the SMTP allow/deny/trusted lists: entry forms, IPv4/IPv6/mapped
// peers, exact domain vs domain tree, case, strict and lenient parsing.
#include "mail/smtp/policy/address_list.hpp"

#include <gtest/gtest.h>

namespace posta::mail::smtp::policy {
namespace {

boost::asio::ip::address ip(char const* s) { return boost::asio::ip::make_address(s); }

address_list list_of(std::vector<std::string> entries) {
  auto r = address_list::parse(entries);
  EXPECT_TRUE(r) << (r ? "" : r.error().message());
  return r ? *r : address_list{};
}

TEST(SmtpPolicyAddressList, EmptyMatchesNothing) {
  address_list const empty;
  EXPECT_TRUE(empty.empty());
  EXPECT_FALSE(empty.matches_ip(ip("127.0.0.1")));
  EXPECT_FALSE(empty.matches_sender("a@example.com"));
  EXPECT_FALSE(empty.matches(ip("::1"), ""));
  auto parsed = address_list::parse({});
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->empty());
}

TEST(SmtpPolicyAddressList, IpsAndNetworks) {
  auto const l = list_of({"192.0.2.1", "10.0.0.0/8", "2001:db8::/32", "[::1]", " 198.51.100.0/24 "});
  EXPECT_EQ(l.size(), 5u);
  struct c {
    char const* peer;
    bool in;
  } const cases[] = {
      {"192.0.2.1", true},        {"192.0.2.2", false},       {"10.200.0.1", true},
      {"11.0.0.1", false},        {"::ffff:10.1.1.1", true},  {"::ffff:192.0.2.1", true},
      {"::ffff:192.0.2.9", false}, {"2001:db8:1::5", true},   {"2001:db9::5", false},
      {"::1", true},              {"::2", false},             {"198.51.100.77", true},
      {"127.0.0.1", false},
  };
  for (auto const& t : cases) EXPECT_EQ(l.matches_ip(ip(t.peer)), t.in) << t.peer;
  EXPECT_FALSE(l.matches_sender("user@example.com"));
}

TEST(SmtpPolicyAddressList, SendersDomainsAndTrees) {
  auto const l = list_of({"Boss@Example.COM", "@partner.org", "vendor.net", ".corp.example", "@.Group.Test",
                          "<quoted@x.org>", "\"john doe\"@people.org", "ops@[192.0.2.7]", "root@host.example."});
  struct c {
    std::string_view sender;
    bool in;
  } const cases[] = {
      // full addresses: local part and domain case-insensitive
      {"boss@example.com", true},
      {"BOSS@EXAMPLE.COM", true},
      {"boss@example.com.", true},
      {"other@example.com", false},
      {"boss@sub.example.com", false},
      {"quoted@x.org", true},
      {"john doe@people.org", true},  // as smtp::proto holds a quoted local part
      {"John Doe@PEOPLE.org", true},
      {"\"john doe\"@people.org", true},  // as smtp::proto::to_string writes it
      {"\"JOHN DOE\"@people.org", true},
      {"\"quoted\"@x.org", true},        // needless quotes
      {"\"john doe@people.org", false},  // broken quoting
      {"johndoe@people.org", false},
      {"ops@[192.0.2.7]", true},
      {"root@host.example", true},
      // "@domain" and bare "domain": exactly that domain
      {"anyone@partner.org", true},
      {"anyone@PARTNER.ORG", true},
      {"anyone@sub.partner.org", false},
      {"anyone@notpartner.org", false},
      {"x@vendor.net", true},
      {"x@mail.vendor.net", false},
      // ".domain" / "@.domain": the domain and every subdomain
      {"a@corp.example", true},
      {"a@mail.corp.example", true},
      {"a@x.y.corp.example", true},
      {"a@badcorp.example", false},
      {"a@corp.example.evil", false},
      {"a@group.test", true},
      {"a@eu.group.test", true},
      {"a@GROUP.TEST", true},
      // things that never match
      {"", false},
      {"partner.org", false},
      {"@partner.org", false},
      {"user@", false},
  };
  for (auto const& t : cases) EXPECT_EQ(l.matches_sender(t.sender), t.in) << t.sender;
  EXPECT_FALSE(l.matches_ip(ip("192.0.2.7")));  // an address literal is no IP entry
}

TEST(SmtpPolicyAddressList, MatchesEither) {
  auto const l = list_of({"10.0.0.0/8", "@example.com"});
  EXPECT_TRUE(l.matches(ip("10.1.1.1"), "x@other.org"));
  EXPECT_TRUE(l.matches(ip("192.0.2.1"), "x@example.com"));
  EXPECT_TRUE(l.matches(ip("10.1.1.1"), ""));
  EXPECT_FALSE(l.matches(ip("192.0.2.1"), "x@other.org"));
  EXPECT_FALSE(l.matches(ip("192.0.2.1"), ""));
}

TEST(SmtpPolicyAddressList, RefusesBadEntriesNamingThem) {
  for (std::string bad : std::vector<std::string>{"", "   ", "10.0.0.0/33", "10.0.0.256", "300.1.1.1", "10.0.0.0/8x", "-bad.com", "bad-.com",
                          "exa mple.com", "under_score.com", "@", "@.", ".", "..com", "a@", "@bad..com",
                          "a b@example.com", "a@b@example.com", "\"unterminated@example.com", "user@.example.com",
                          "user@exa mple.com", "b\xc3\xbc" "cher.de", "user@1.2.3", "fe80::1%eth0",
                          std::string(600, 'a') + ".com", std::string(65, 'l') + "@example.com",
                          std::string(64, 'l') + ".com"}) {
    auto r = address_list::parse({"192.0.2.1", bad});
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, make_error_code(errc::invalid_argument));
    EXPECT_NE(r.error().context.find(bad.substr(0, 20)), std::string::npos) << r.error().context;
    EXPECT_FALSE(address_list::validate_entry(bad)) << bad;
  }
}

TEST(SmtpPolicyAddressList, AcceptsEdgeForms) {
  for (std::string good : std::vector<std::string>{"localhost", "xn--bcher-kva.de", "a.b-c.d", "1example.com", "123.example",
                           "example.com.", std::string(64, 'l') + "@example.com",
                           std::string(63, 'l') + ".com", "\"a\\\"b\"@example.com", "+tag@example.com"}) {
    EXPECT_TRUE(address_list::validate_entry(good)) << good;
  }
  auto const l = list_of({"\"a\\\"b\"@example.com"});
  EXPECT_TRUE(l.matches_sender("a\"b@example.com"));
}

TEST(SmtpPolicyAddressList, IpOnlyTellsTrustedNetworksApart) {
  EXPECT_TRUE(list_of({"127.0.0.0/8", "::1"}).is_ip_only());
  EXPECT_TRUE(address_list{}.is_ip_only());
  EXPECT_FALSE(list_of({"127.0.0.0/8", "example.com"}).is_ip_only());
  EXPECT_FALSE(list_of({"@example.com"}).is_ip_only());
  EXPECT_FALSE(list_of({"a@example.com"}).is_ip_only());
  EXPECT_FALSE(list_of({".example.com"}).is_ip_only());
}

TEST(SmtpPolicyAddressList, LenientSkipsAndReports) {
  auto const r = address_list::parse_lenient({"10.0.0.0/8", "nonsense entry", "", "@example.com", "1.2.3.4/40"});
  EXPECT_EQ(r.list.size(), 2u);
  ASSERT_EQ(r.skipped.size(), 3u);
  EXPECT_EQ(r.skipped[0].entry, "nonsense entry");
  EXPECT_EQ(r.skipped[1].entry, "");
  EXPECT_EQ(r.skipped[2].entry, "1.2.3.4/40");
  EXPECT_NE(r.skipped[0].reason.find("nonsense entry"), std::string::npos);
  EXPECT_TRUE(r.list.matches_ip(ip("10.9.9.9")));
  EXPECT_TRUE(r.list.matches_sender("a@example.com"));
  EXPECT_FALSE(r.list.matches_ip(ip("1.2.3.4")));
}

}  // namespace
}  // namespace posta::mail::smtp::policy
