// Destinations to connections: relay host or MX hosts, their addresses, and
// the TLS policy each asks for.
#include "mail/queue/route.hpp"

#include "core/dns/errors.hpp"
#include "core/dns/mx_order.hpp"
#include "core/dns/resolver.hpp"
#include "core/settings/settings.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <charconv>
#include <random>

namespace posta::mail::queue {
namespace {

namespace ip = boost::asio::ip;
using smtp::client::tls_policy;

reply local_reply(int code, std::string enhanced, std::string text) { return reply{code, std::move(enhanced), {std::move(text)}}; }

std::uint64_t random_below(std::uint64_t bound) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_int_distribution<std::uint64_t>(0, bound - 1)(rng);
}

// "[192.0.2.1]" or "[IPv6:2001:db8::1]" (RFC 5321 4.1.3): the address, else nullopt.
std::optional<ip::address> address_literal(std::string_view host) {
  if (host.size() < 3 || host.front() != '[' || host.back() != ']') return std::nullopt;
  auto inner = host.substr(1, host.size() - 2);
  if (inner.size() > 5 && (inner.starts_with("IPv6:") || inner.starts_with("ipv6:"))) inner.remove_prefix(5);
  boost::system::error_code ec;
  auto a = ip::make_address(std::string(inner), ec);
  if (ec) return std::nullopt;
  return a;
}

struct host_addresses {
  std::vector<ip::tcp::endpoint> endpoints;
  std::optional<error> failure;  // when endpoints is empty
};

// IPv4 first: many networks that carry mail still have no IPv6 route.
asio::awaitable<host_addresses> addresses_of(dns::resolver& resolver, std::string const& host, std::uint16_t port) {
  if (auto literal = address_literal(host)) co_return host_addresses{{ip::tcp::endpoint(*literal, port)}, {}};
  host_addresses out;
  auto v4 = co_await resolver.a(host);
  if (v4)
    for (auto const& a : *v4) out.endpoints.emplace_back(a, port);
  auto v6 = co_await resolver.aaaa(host);
  if (v6)
    for (auto const& a : *v6) out.endpoints.emplace_back(a, port);
  if (out.endpoints.empty()) {
    // A temporary failure of either says nothing final about the host.
    if (!v4 && dns::is_temporary(v4.error())) out.failure = v4.error();
    else if (!v6 && dns::is_temporary(v6.error())) out.failure = v6.error();
    else out.failure = v4 ? dns::make_error(dns::dns_errc::nodata, host) : v4.error();
  }
  co_return out;
}

std::string describe(std::string const& host, ip::tcp::endpoint const& at) {
  return host + " [" + at.address().to_string() + "]:" + std::to_string(at.port());
}

struct hop {
  std::string host;
  std::uint16_t port = 25;
  smtp::client::client_options options;
};

// Tries one host; the reply of its failure otherwise (a local 451 when no
// address answered or the host did not resolve).
asio::awaitable<smtp::proto::reply_or<opened_connection>> try_hop(dns::resolver& resolver, hop h) {
  auto found = co_await addresses_of(resolver, h.host, h.port);
  if (found.endpoints.empty())
    co_return local_reply(451, "4.4.3", "cannot find the addresses of " + h.host + ": " + found.failure->message());
  auto opened = co_await smtp::client::connection::open(found.endpoints, std::move(h.options));
  if (!opened) co_return opened.error();
  auto at = (*opened)->remote_endpoint();
  co_return opened_connection{std::move(*opened), describe(h.host, at)};
}

bool requires_tls(route_settings const& s, std::string const& domain) {
  return std::find(s.require_tls_domains.begin(), s.require_tls_domains.end(), domain) != s.require_tls_domains.end();
}

hop mx_hop(route_settings const& s, std::string const& domain, std::string host) {
  hop h{host, s.mx_port, s.base};
  if (requires_tls(s, domain)) {
    // The certificate must be valid for the MX name (RFC 7672 / 8461 check
    // the same name): the best a policy without DANE or MTA-STS can ask.
    h.options.tls = tls_policy::required;
    h.options.tls_name = address_literal(host) ? host.substr(1, host.size() - 2) : host;
    h.options.tls_context = s.verifying_tls;
  } else {
    h.options.tls = tls_policy::opportunistic;
    h.options.tls_name = host;
    h.options.tls_context = s.opportunistic_tls;
  }
  return h;
}

asio::awaitable<smtp::proto::reply_or<opened_connection>> open_relay(dns::resolver& resolver, route_settings const& s) {
  auto const& relay = *s.relay;
  hop h{relay.host, relay.port, s.base};
  h.options.tls = relay.tls;
  h.options.auth = relay.auth;
  if (relay.tls != tls_policy::none) {
    auto literal = address_literal(relay.host);
    h.options.tls_name = literal ? literal->to_string() : relay.host;
    h.options.tls_context = s.verifying_tls;
  }
  co_return co_await try_hop(resolver, std::move(h));
}

// Among the failures of every host: a temporary one if any (another try
// may find a host up), else the last permanent one.
void keep_worst_for_retry(std::optional<reply>& kept, reply r) {
  if (!kept || r.is_transient() || kept->is_permanent()) kept = std::move(r);
}

}  // namespace

std::string destination_of(route_settings const& s, std::string const& domain) {
  return s.relay ? relay_destination : domain;
}

asio::awaitable<smtp::proto::reply_or<opened_connection>> open_route(dns::resolver& resolver,
                                                                     route_settings const& settings,
                                                                     std::string domain) {
  if (settings.relay) co_return co_await open_relay(resolver, settings);
  if (address_literal(domain)) co_return co_await try_hop(resolver, mx_hop(settings, domain, domain));

  auto mx = co_await resolver.mx(domain);
  std::vector<dns::mx_record> records;
  if (mx) records = std::move(*mx);
  else if (dns::is_nxdomain(mx.error()))
    co_return local_reply(550, "5.1.2", "domain " + domain + " does not exist (DNS NXDOMAIN)");
  else if (!dns::is_nodata(mx.error()))
    co_return local_reply(451, "4.4.3", "cannot find the MX of " + domain + ": " + mx.error().message());
  auto plan = dns::order_mx(records, domain, random_below);
  if (plan.is_null_mx) co_return local_reply(556, "5.1.10", "domain " + domain + " accepts no mail (null MX, RFC 7505)");

  std::optional<reply> failure;
  for (auto const& host : plan.hosts) {
    auto opened = co_await try_hop(resolver, mx_hop(settings, domain, host));
    if (opened) co_return std::move(*opened);
    keep_worst_for_retry(failure, opened.error());
  }
  // RFC 5321 5.1: no MX and no address record: the domain takes no mail.
  if (plan.is_implicit && failure && failure->enhanced == "4.4.3") {
    auto a = co_await resolver.a(domain);
    auto aaaa = co_await resolver.aaaa(domain);
    auto final_no = [](auto const& r) { return !r && !dns::is_temporary(r.error()); };
    if (final_no(a) && final_no(aaaa))
      co_return local_reply(550, "5.1.2", "domain " + domain + " has no MX and no address record");
  }
  if (!failure) failure = local_reply(451, "4.4.4", "no mail host for " + domain);
  co_return *failure;
}

result<relay_host> parse_smarthost(std::string_view text) {
  auto bad = [&](std::string why) { return make_error(errc::invalid_argument, "relay.smarthost: " + why); };
  relay_host out;
  std::string_view host = text, port;
  if (text.starts_with("[")) {
    auto close = text.find(']');
    if (close == std::string_view::npos) return bad("unclosed '['");
    host = text.substr(0, close + 1);
    auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad("expected ':' after ']'");
      port = rest.substr(1);
    }
    if (!address_literal(host)) return bad("not an IP address in brackets");
  } else {
    auto colon = text.rfind(':');
    if (colon != std::string_view::npos) {
      host = text.substr(0, colon);
      port = text.substr(colon + 1);
    }
    if (host.empty()) return bad("no host");
    if (auto why = settings::host_name_problem(host); !why.empty()) return bad("not a host name: " + why);
  }
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535)
      return bad("port must be 1-65535");
    out.port = static_cast<std::uint16_t>(value);
  }
  out.host = std::string(host);
  return out;
}

result<tls_policy> parse_smarthost_tls(std::string_view text) {
  if (text == "starttls") return tls_policy::required;
  if (text == "implicit") return tls_policy::implicit;
  if (text == "none") return tls_policy::none;
  return make_error(errc::invalid_argument, "relay.smarthost_tls: one of starttls, implicit, none");
}

}  // namespace posta::mail::queue
