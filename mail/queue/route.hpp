// Where mail for a destination goes and how the connection to it is made:
// the relay host (relay.smarthost) for everything when one is set, else the
// recipient domain's MX hosts in order (RFC 5321 5.1: lowest preference
// first, random among equals, the domain itself when it has no MX; RFC 7505
// null MX: it takes no mail), each host's addresses tried in turn. DNS
// outcomes decide: NXDOMAIN of the domain, a null MX or no address for an
// implicit MX are permanent; everything else (SERVFAIL, timeouts, no MX host
// answering) is temporary.
#pragma once

#include "mail/smtp/client/connection.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace posta::dns {
class resolver;
}

namespace posta::mail::queue {

using smtp::proto::reply;

struct relay_host {
  std::string host;  // a name, or an address literal "[192.0.2.1]" / "[IPv6:2001:db8::1]"
  std::uint16_t port = 587;
  smtp::client::tls_policy tls = smtp::client::tls_policy::required;
  std::optional<smtp::client::credentials> auth;
};

struct route_settings {
  std::optional<relay_host> relay;                // relay.smarthost*
  std::vector<std::string> require_tls_domains;   // relay.require_tls_domains, lower case
  std::uint16_t mx_port = 25;                     // relay.mx_port
  smtp::client::client_options base;              // helo name, timeouts, encode_utf8_headers
  std::shared_ptr<boost::asio::ssl::context> verifying_tls;      // relay.tls_ca_file or the system's CAs
  std::shared_ptr<boost::asio::ssl::context> opportunistic_tls;  // any certificate
};

struct opened_connection {
  std::unique_ptr<smtp::client::connection> connection;
  std::string host;  // "mx.example.net [192.0.2.25]:25": for attempts and the journal
};

// The destination key of a recipient domain: the domain, or "[relay]" when
// a relay host takes everything.
std::string destination_of(route_settings const& s, std::string const& domain);
inline constexpr char const* relay_destination = "[relay]";

// Opens a connection for mail to `domain` (ignored when a relay is set), or
// the reply that decides every recipient waiting for it. Runs on the
// caller's executor, which must be a strand.
asio::awaitable<smtp::proto::reply_or<opened_connection>> open_route(dns::resolver& resolver,
                                                                     route_settings const& settings,
                                                                     std::string domain);

// relay.smarthost: "host:port", "host" (port 587) or "[address]:port".
result<relay_host> parse_smarthost(std::string_view text);
// relay.smarthost_tls: starttls | implicit | none.
result<smtp::client::tls_policy> parse_smarthost_tls(std::string_view text);

}  // namespace posta::mail::queue
