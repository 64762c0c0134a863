// IP networks in CIDR notation for the SMTP policies (allow/deny lists,
// trusted networks): parsing, normalising and membership. RFC 4632 3.1
// (prefix notation), RFC 4291 2.3 and 2.5.5.2 (IPv6 prefixes, IPv4-mapped).
#pragma once

#include "core/util/result.hpp"

#include <boost/asio/ip/address.hpp>

#include <string>
#include <string_view>

namespace posta::mail::smtp::policy {

// A network: `base` has every bit past `prefix` cleared. An IPv4 network
// never holds an IPv4-mapped IPv6 base: such input is turned into IPv4.
struct network {
  boost::asio::ip::address base;
  unsigned prefix = 0;  // 0..32 for IPv4, 0..128 for IPv6

  friend bool operator==(network const&, network const&) = default;
};

// Accepts "10.0.0.0/8", "192.0.2.1" (= /32), "::1" (= /128), "2001:db8::/32",
// "[::1]", "[::1]/128" (brackets, as in address literals, around either
// family). Host bits past the prefix are allowed and cleared
// ("10.1.2.3/8" is 10.0.0.0/8). "::ffff:10.0.0.0/104" (IPv4-mapped, prefix at
// least 96) becomes 10.0.0.0/8. Refused (errc::invalid_argument): empty
// input, a zone ("fe80::1%eth0"), a prefix past the family's width, with a
// sign, leading zero ("/08") or more than three digits, anything else after
// the address.
result<network> parse_network(std::string_view text);

// Does `net` contain `ip`? IPv4-mapped IPv6 peers (::ffff:a.b.c.d, as a
// dual-stack socket reports IPv4 clients) count as their IPv4 address; an
// IPv6 network never contains an IPv4 peer and the reverse. Zone ids of the
// peer are ignored.
bool contains(network const& net, boost::asio::ip::address const& ip);

// The peer as policy code compares it: IPv4-mapped IPv6 becomes IPv4.
boost::asio::ip::address unmap(boost::asio::ip::address const& ip);

// "10.0.0.0/8", "2001:db8::/32": for logs and the admin API.
std::string to_string(network const& net);

}  // namespace posta::mail::smtp::policy
