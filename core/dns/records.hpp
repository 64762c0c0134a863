// What the resolver answers, in our own types (RFC 1035 3.3.9 MX, 3.3.14
// TXT, 3.4.1 A; RFC 3596 AAAA), so that no caller sees c-ares.
#pragma once

#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/address_v6.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace posta::dns {

struct mx_record {
  std::uint16_t preference = 0;
  std::string host;  // lower case, no trailing dot; "" for the root ("." of a null MX, RFC 7505)
  friend bool operator==(mx_record const&, mx_record const&) = default;
};

using ipv4_list = std::vector<boost::asio::ip::address_v4>;
using ipv6_list = std::vector<boost::asio::ip::address_v6>;

// One string per TXT record: its character-strings joined without
// separator, as SPF (RFC 7208 3.3) and DKIM (RFC 6376 3.6.2.2) read them.
using txt_list = std::vector<std::string>;

}  // namespace posta::dns
