// Tests for CIDR network parsing, normalisation and membership (IPv4, IPv6,
// IPv4-mapped IPv6).
#include "mail/smtp/policy/networks.hpp"

#include <gtest/gtest.h>

namespace posta::mail::smtp::policy {
namespace {

boost::asio::ip::address ip(char const* s) { return boost::asio::ip::make_address(s); }

TEST(SmtpPolicyNetworks, ParsesAndNormalises) {
  struct c {
    std::string_view in;
    std::string_view out;  // to_string of the result
  } const cases[] = {
      {"10.0.0.0/8", "10.0.0.0/8"},
      {"10.1.2.3/8", "10.0.0.0/8"},  // host bits cleared
      {"192.0.2.1", "192.0.2.1/32"},
      {"192.0.2.255/25", "192.0.2.128/25"},
      {"0.0.0.0/0", "0.0.0.0/0"},
      {"[192.0.2.1]", "192.0.2.1/32"},
      {"::1", "::1/128"},
      {"[::1]", "::1/128"},
      {"[::1]/128", "::1/128"},
      {"2001:db8::/32", "2001:db8::/32"},
      {"2001:DB8:ffff::1/33", "2001:db8:8000::/33"},
      {"2001:db8::1/0", "::/0"},
      {"::ffff:10.9.8.7/104", "10.0.0.0/8"},  // IPv4-mapped becomes IPv4
      {"::ffff:192.0.2.1", "192.0.2.1/32"},
      {"::ffff:0:0/96", "0.0.0.0/0"},
      {"::ffff:0:0/95", "::fffe:0:0/95"},  // shorter than the mapped prefix: stays IPv6
  };
  for (auto const& t : cases) {
    auto r = parse_network(t.in);
    ASSERT_TRUE(r) << t.in;
    EXPECT_EQ(to_string(*r), t.out) << t.in;
  }
}

TEST(SmtpPolicyNetworks, RefusesBadInput) {
  for (std::string_view bad : {"", "/8", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/+8",
                               "10.0.0.0/08", "10.0.0.0/0008", "10.0.0.0/8/8", "10.0.0.0/8 ", " 10.0.0.0",
                               "10.0.0", "10.0.0.256", "010.0.0.1", "fe80::1%eth0", "[::1", "::1]", "[]",
                               "example.com", "1.2.3.4.5", "2001:db8:::1", "10.0.0.0/a"}) {
    auto r = parse_network(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code, make_error_code(errc::invalid_argument)) << bad;
      EXPECT_NE(r.error().context.find(std::string(bad)), std::string::npos) << bad;  // names the entry
    }
  }
}

TEST(SmtpPolicyNetworks, ContainsTable) {
  struct c {
    std::string_view net;
    char const* peer;
    bool in;
  } const cases[] = {
      {"10.0.0.0/8", "10.255.255.255", true},
      {"10.0.0.0/8", "11.0.0.0", false},
      {"10.0.0.0/8", "9.255.255.255", false},
      {"192.0.2.1", "192.0.2.1", true},
      {"192.0.2.1", "192.0.2.2", false},
      {"192.0.2.128/25", "192.0.2.127", false},
      {"192.0.2.128/25", "192.0.2.200", true},
      {"0.0.0.0/0", "203.0.113.9", true},
      {"0.0.0.0/0", "2001:db8::1", false},          // families never mix
      {"10.0.0.0/8", "::ffff:10.1.2.3", true},      // mapped peer counts as IPv4
      {"10.0.0.0/8", "::ffff:11.1.2.3", false},
      {"::ffff:10.0.0.0/104", "10.20.30.40", true}, // mapped network counts as IPv4
      {"::/0", "2001:db8::1", true},
      {"::/0", "192.0.2.1", false},
      {"::/0", "::ffff:192.0.2.1", false},          // the mapped peer is IPv4
      {"::1", "::1", true},
      {"::1", "::2", false},
      {"2001:db8::/32", "2001:db8:ffff:ffff::1", true},
      {"2001:db8::/32", "2001:db9::1", false},
      {"2001:db8:8000::/33", "2001:db8:7fff::1", false},
      {"2001:db8:8000::/33", "2001:db8:8000::1", true},
      {"2001:db8::/127", "2001:db8::1", true},
      {"2001:db8::/127", "2001:db8::2", false},
      {"fe80::/10", "fe80::1%1", true},             // zone of the peer ignored
  };
  for (auto const& t : cases) {
    auto n = parse_network(t.net);
    ASSERT_TRUE(n) << t.net;
    EXPECT_EQ(contains(*n, ip(t.peer)), t.in) << t.net << " " << t.peer;
  }
}

TEST(SmtpPolicyNetworks, PrefixBoundaries) {
  // Every prefix length: the base and its host bits are inside; flipping the
  // last bit of the prefix leaves the network.
  for (unsigned p = 1; p <= 32; ++p) {
    auto n = parse_network("128.0.0.0/" + std::to_string(p));
    ASSERT_TRUE(n);
    std::uint32_t const base = 0x80000000u;
    EXPECT_TRUE(contains(*n, boost::asio::ip::address_v4(base))) << p;
    if (p < 32) {
      EXPECT_TRUE(contains(*n, boost::asio::ip::address_v4(base | (1u << (31 - p))))) << p;
    }
    EXPECT_FALSE(contains(*n, boost::asio::ip::address_v4(base ^ (1u << (32 - p))))) << p;
  }
  for (unsigned p = 1; p <= 128; ++p) {
    auto n = parse_network("8000::/" + std::to_string(p));
    ASSERT_TRUE(n);
    auto const base = boost::asio::ip::make_address_v6("8000::").to_bytes();
    EXPECT_TRUE(contains(*n, boost::asio::ip::address_v6(base))) << p;
    auto inside = base;
    if (p < 128) {
      inside[p / 8] |= static_cast<unsigned char>(0x80u >> (p % 8));
      EXPECT_TRUE(contains(*n, boost::asio::ip::address_v6(inside))) << p;
    }
    auto outside = base;
    outside[(p - 1) / 8] ^= static_cast<unsigned char>(0x80u >> ((p - 1) % 8));
    EXPECT_FALSE(contains(*n, boost::asio::ip::address_v6(outside))) << p;
  }
}

TEST(SmtpPolicyNetworks, Unmap) {
  EXPECT_EQ(unmap(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
  EXPECT_EQ(unmap(ip("2001:db8::1")), ip("2001:db8::1"));
  EXPECT_EQ(unmap(ip("192.0.2.1")), ip("192.0.2.1"));
}

}  // namespace
}  // namespace posta::mail::smtp::policy
