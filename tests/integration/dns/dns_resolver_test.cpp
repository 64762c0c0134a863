// The c-ares resolver against a real DNS server (dnsmasq on loopback): MX,
// A, AAAA and TXT answers in our types; NXDOMAIN, NODATA and null MX told
// apart; a silent server ends in a bounded, temporary timeout.
#include "core/dns/errors.hpp"
#include "core/dns/mx_order.hpp"
#include "core/dns/resolver.hpp"
#include "tests/integration/support/test_support.hpp"
#include "tests/integration/dns/dnsmasq.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

namespace posta::dns {
namespace {

using namespace std::chrono_literals;
namespace ip = boost::asio::ip;

std::vector<std::string> const zone = {
    "mx-host=example.test,mx2.example.test,20",
    "mx-host=example.test,mx1.example.test,10",
    "mx-host=nullmx.example.test,.,0",
    "host-record=mx1.example.test,127.0.0.11,::11",
    "host-record=mx2.example.test,127.0.0.12",
    "host-record=nomx.example.test,127.0.0.13",
    "txt-record=example.test,\"v=spf1 ip4:127.0.0.0/8 -all\"",
    "txt-record=sel._domainkey.example.test,\"v=DKIM1; k=rsa; \",\"p=MIIBIjAN\"",
    "txt-record=two.example.test,\"first\"",
    "txt-record=two.example.test,\"second\"",
};

class dns_resolver : public ::testing::Test {
 protected:
  template <class T>
  T run(asio::awaitable<T> aw) {
    return itest::run_until_done(io_, std::move(aw));
  }

  std::unique_ptr<resolver> make(std::vector<std::string> servers, resolver_options o = {}) {
    o.servers = std::move(servers);
    auto r = resolver::create(io_.get_executor(), o);
    if (!r) throw std::runtime_error(r.error().message());
    return std::move(*r);
  }

  asio::io_context io_;
  itest::dnsmasq server_{zone};
};

TEST_F(dns_resolver, MxRecordsInOurTypes) {
  auto r = make({server_.server()});
  auto mx = run(r->mx("Example.TEST"));
  ASSERT_TRUE(mx) << mx.error().message();
  std::vector<mx_record> sorted = *mx;
  std::sort(sorted.begin(), sorted.end(), [](auto& a, auto& b) { return a.preference < b.preference; });
  EXPECT_EQ(sorted, (std::vector<mx_record>{{10, "mx1.example.test"}, {20, "mx2.example.test"}}));
  auto plan = order_mx(*mx, "example.test", [](std::uint64_t) { return std::uint64_t{0}; });
  EXPECT_EQ(plan.hosts, (std::vector<std::string>{"mx1.example.test", "mx2.example.test"}));
}

TEST_F(dns_resolver, AddressRecords) {
  auto r = make({server_.server()});
  auto a = run(r->a("mx1.example.test"));
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(*a, (ipv4_list{ip::make_address_v4("127.0.0.11")}));
  auto aaaa = run(r->aaaa("mx1.example.test"));
  ASSERT_TRUE(aaaa) << aaaa.error().message();
  EXPECT_EQ(*aaaa, (ipv6_list{ip::make_address_v6("::11")}));
}

TEST_F(dns_resolver, TxtStringsOfOneRecordAreJoined) {
  auto r = make({server_.server()});
  auto spf = run(r->txt("example.test"));
  ASSERT_TRUE(spf) << spf.error().message();
  EXPECT_EQ(*spf, (txt_list{"v=spf1 ip4:127.0.0.0/8 -all"}));
  auto dkim = run(r->txt("sel._domainkey.example.test"));
  ASSERT_TRUE(dkim) << dkim.error().message();
  EXPECT_EQ(*dkim, (txt_list{"v=DKIM1; k=rsa; p=MIIBIjAN"}));
  auto two = run(r->txt("two.example.test"));
  ASSERT_TRUE(two) << two.error().message();
  std::sort(two->begin(), two->end());
  EXPECT_EQ(*two, (txt_list{"first", "second"}));
}

TEST_F(dns_resolver, NxdomainIsPermanent) {
  auto r = make({server_.server()});
  auto mx = run(r->mx("missing.example.test"));
  ASSERT_FALSE(mx);
  EXPECT_TRUE(is_nxdomain(mx.error())) << mx.error().message();
  EXPECT_FALSE(is_temporary(mx.error()));
  auto a = run(r->a("missing.example.test"));
  ASSERT_FALSE(a);
  EXPECT_TRUE(is_nxdomain(a.error())) << a.error().message();
}

TEST_F(dns_resolver, NodataWhenTheNameHasOtherRecordsOnly) {
  auto r = make({server_.server()});
  auto mx = run(r->mx("nomx.example.test"));
  ASSERT_FALSE(mx);
  EXPECT_TRUE(is_nodata(mx.error())) << mx.error().message();
  EXPECT_FALSE(is_temporary(mx.error()));
  auto aaaa = run(r->aaaa("mx2.example.test"));
  ASSERT_FALSE(aaaa);
  EXPECT_TRUE(is_nodata(aaaa.error())) << aaaa.error().message();
  // No MX: the implicit MX is the domain itself.
  EXPECT_TRUE(order_mx({}, "nomx.example.test", [](std::uint64_t) { return std::uint64_t{0}; }).is_implicit);
}

TEST_F(dns_resolver, NullMx) {
  auto r = make({server_.server()});
  auto mx = run(r->mx("nullmx.example.test"));
  ASSERT_TRUE(mx) << mx.error().message();
  EXPECT_EQ(*mx, (std::vector<mx_record>{{0, ""}}));
  EXPECT_TRUE(order_mx(*mx, "nullmx.example.test", [](std::uint64_t) { return std::uint64_t{0}; }).is_null_mx);
}

TEST_F(dns_resolver, NameOutsideTheServersZonesIsNotPermanent) {
  auto r = make({server_.server()});
  auto mx = run(r->mx("example.invalid"));  // dnsmasq has no upstream: REFUSED
  ASSERT_FALSE(mx);
  EXPECT_TRUE(is_temporary(mx.error())) << mx.error().message();
}

TEST_F(dns_resolver, BadNamesNeverReachTheWire) {
  auto r = make({server_.server()});
  auto mx = run(r->mx("bad name.example.test"));
  ASSERT_FALSE(mx);
  EXPECT_TRUE(is(mx.error(), dns_errc::bad_name));
  EXPECT_FALSE(is_temporary(mx.error()));
}

TEST_F(dns_resolver, SilentServerTimesOutAsTemporary) {
  ip::udp::socket silent(io_, ip::udp::endpoint(ip::make_address("127.0.0.1"), 0));  // never reads
  resolver_options o;
  o.query_timeout = 1500ms;
  o.attempt_timeout = 200ms;
  auto r = make({"127.0.0.1:" + std::to_string(silent.local_endpoint().port())}, o);
  auto mx = run(r->mx("example.test"));
  ASSERT_FALSE(mx);
  EXPECT_TRUE(is(mx.error(), dns_errc::timeout)) << mx.error().message();
  EXPECT_TRUE(is_temporary(mx.error()));
}

TEST_F(dns_resolver, QueryBoundHoldsWhenTheResolverWouldRetryLonger) {
  ip::udp::socket silent(io_, ip::udp::endpoint(ip::make_address("127.0.0.1"), 0));
  resolver_options o;
  o.query_timeout = 300ms;     // c-ares alone would try for 3 s
  o.attempt_timeout = 1000ms;
  o.tries = 2;
  auto r = make({"127.0.0.1:" + std::to_string(silent.local_endpoint().port())}, o);
  auto a = run(r->a("mx1.example.test"));
  ASSERT_FALSE(a);
  EXPECT_TRUE(is(a.error(), dns_errc::timeout)) << a.error().message();
  // The abandoned query finishes inside c-ares later; a new one still works.
  ASSERT_TRUE(run(r->set_servers({server_.server()})));
  auto again = run(r->a("mx1.example.test"));
  ASSERT_TRUE(again) << again.error().message();
}

TEST_F(dns_resolver, ServersCanBeChangedLive) {
  ip::udp::socket silent(io_, ip::udp::endpoint(ip::make_address("127.0.0.1"), 0));
  resolver_options o;
  o.query_timeout = 500ms;
  o.attempt_timeout = 100ms;
  auto r = make({"127.0.0.1:" + std::to_string(silent.local_endpoint().port())}, o);
  EXPECT_FALSE(run(r->mx("example.test")));
  ASSERT_TRUE(run(r->set_servers({server_.server()})));
  EXPECT_TRUE(run(r->mx("example.test")));
  EXPECT_FALSE(run(r->set_servers({"not-an-ip"})));
}

TEST_F(dns_resolver, ManyQueriesFromSeveralThreads) {
  auto r = make({server_.server()});
  std::atomic<int> ok{0};
  constexpr int n = 200;
  auto one = [&](int i) -> asio::awaitable<void> {
    auto a = co_await r->a(i % 2 ? "mx1.example.test" : "mx2.example.test");
    if (a && a->size() == 1) ++ok;
  };
  for (int i = 0; i < n; ++i) asio::co_spawn(io_, one(i), asio::detached);
  std::thread other([&] { io_.run(); });
  io_.run();
  other.join();
  EXPECT_EQ(ok.load(), n);
}

TEST(dns_resolver_options, BadServerListIsRefused) {
  asio::io_context io;
  resolver_options o;
  o.servers = {"dns.example.test"};
  auto r = resolver::create(io.get_executor(), o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, make_error_code(errc::invalid_argument));
}

}  // namespace
}  // namespace posta::dns
