// Query names (RFC 1035 2.3.4) and the dns.servers item syntax.
#include "core/dns/names.hpp"
#include "core/dns/servers.hpp"

#include <gtest/gtest.h>

#include <string_view>

using namespace std::string_view_literals;

namespace posta::dns {
namespace {

TEST(DnsNames, NormalisedToLowerCaseWithoutTheRootDot) {
  EXPECT_EQ(normalise_query_name("Mail.Example.TEST."), "mail.example.test");
  EXPECT_EQ(normalise_query_name("sel._domainkey.example.test"), "sel._domainkey.example.test");
  EXPECT_EQ(normalise_query_name("localhost"), "localhost");
}

TEST(DnsNames, RefusedNames) {
  for (std::string_view bad : std::initializer_list<std::string_view>{"", ".", "a..b", ".a", "a b.test", "a\nb.test", "a\0b"sv, "ex@mple.test",
                               "exämple.test", "a/b.test"})
    EXPECT_FALSE(normalise_query_name(bad)) << bad;
  EXPECT_FALSE(normalise_query_name(std::string(64, 'a') + ".test"));
  EXPECT_TRUE(normalise_query_name(std::string(63, 'a') + ".test"));
  std::string long_name;
  while (long_name.size() < 254) long_name += "abcdefghi.";
  EXPECT_FALSE(normalise_query_name(long_name.substr(0, 254)));
}

TEST(DnsServers, Forms) {
  auto v4 = parse_server("192.0.2.53");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->address.to_string(), "192.0.2.53");
  EXPECT_EQ(v4->port, 53);
  EXPECT_EQ(parse_server("127.0.0.1:5353")->port, 5353);
  EXPECT_EQ(parse_server("::1")->address.to_string(), "::1");
  EXPECT_EQ(parse_server("[2001:db8::53]:5300")->port, 5300);
  EXPECT_EQ(parse_server("[2001:db8::53]")->port, 53);
}

TEST(DnsServers, RefusedForms) {
  for (std::string_view bad : {"", "dns.example.test", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
                               "127.0.0.1:53x", "[127.0.0.1]:53", "[::1", "[::1]53", "1.2.3.4.5", " 127.0.0.1"})
    EXPECT_FALSE(validate_server_entry(bad)) << bad;
}

TEST(DnsServers, CsvForCares) {
  std::vector<std::string> items{"127.0.0.1:5353", "::1", "[2001:db8::1]:54"};
  EXPECT_EQ(*servers_csv(items), "127.0.0.1:5353,[::1]:53,[2001:db8::1]:54");
  std::vector<std::string> bad{"127.0.0.1", "nonsense"};
  EXPECT_FALSE(servers_csv(bad));
}

}  // namespace
}  // namespace posta::dns
