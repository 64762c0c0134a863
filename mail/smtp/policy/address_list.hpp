// The SMTP allow list, deny list and trusted networks: runtime setting values
// (smtp.allow_list, smtp.deny_list, smtp.trusted_networks) compiled into a
// matcher of client IPs and envelope senders. RFC 5321 2.4 (local-part case),
// RFC 1035 2.3.1 / RFC 1123 2.1 (host names), RFC 4632 3.1 (CIDR).
#pragma once

#include "core/util/result.hpp"
#include "mail/smtp/policy/networks.hpp"

#include <boost/asio/ip/address.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace posta::mail::smtp::policy {

// SECURITY: entries are administrator input, but a list is consulted on every
// connection and MAIL FROM; bound the size of one entry.
inline constexpr std::size_t max_entry_length = 512;

struct skipped_entry {
  std::string entry;   // as written
  std::string reason;  // "not an IP, network, address or domain"
};

class address_list;

struct lenient_parse_result;

// Entry forms (surrounding whitespace is ignored; one entry per element):
//   "192.0.2.1", "2001:db8::1", "[::1]"      one IP (see parse_network)
//   "10.0.0.0/8", "2001:db8::/32"           a network
//   "user@example.com", "<user@example.com>" one sender address; the local
//                                           part may be quoted ("\"a b\"@x")
//   "example.com", "@example.com"           senders of exactly that domain
//   ".example.com", "@.example.com"         senders of example.com AND of
//                                           every subdomain (a.example.com,
//                                           b.a.example.com), not of
//                                           badexample.com
// Domains and local parts compare ASCII case-insensitively; one trailing dot
// of a domain is ignored. Domains are ASCII (U-labels must be written in
// their xn-- form); a domain whose last label is all digits is refused, so a
// mistyped IP ("10.0.0.256") is an error instead of a domain.
class address_list {
 public:
  address_list() = default;

  // Every entry must be valid; the error names the first bad one. Empty
  // entries are errors too (a stray "" in an admin's list is a typo).
  static result<address_list> parse(std::vector<std::string> const& entries);

  // For settings read at run time: never fails; bad and empty entries are
  // skipped and reported so the caller can log them once.
  static lenient_parse_result parse_lenient(std::vector<std::string> const& entries);

  // Checks one entry, as parse would; for validating a setting before storing.
  static result<void> validate_entry(std::string_view entry);

  // True when the client IP is listed or inside a listed network.
  bool matches_ip(boost::asio::ip::address const& ip) const;

  // `sender` is the envelope reverse-path without angle brackets,
  // "local@domain", the local part either unquoted (as smtp::proto::address
  // holds it) or quoted (as smtp::proto::to_string writes it). The null
  // sender "" and strings without '@' match nothing.
  bool matches_sender(std::string_view sender) const;

  // Either of the above.
  bool matches(boost::asio::ip::address const& ip, std::string_view sender) const;

  // SECURITY: senders are claimed by the client and trivially forged. The
  // trusted networks (relay permission) must be matched by IP only: the
  // settings layer should refuse a list that is not is_ip_only() there, and
  // the relay check call matches_ip, never matches or matches_sender.
  bool is_ip_only() const { return addresses_.empty() && domains_.empty() && domain_trees_.empty(); }

  bool empty() const { return networks_.empty() && addresses_.empty() && domains_.empty() && domain_trees_.empty(); }
  std::size_t size() const { return networks_.size() + addresses_.size() + domains_.size() + domain_trees_.size(); }

 private:
  result<void> add(std::string_view entry);
  result<void> add_plain(std::string_view entry, std::string_view raw);
  result<void> add_with_at(std::string_view entry, std::size_t at, std::string_view raw);

  // Lets the sets be searched with a string_view without a copy.
  struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  using string_set = std::unordered_set<std::string, string_hash, std::equal_to<>>;

  // Few networks in practice (an admin's list); a linear scan is fine.
  std::vector<network> networks_;
  string_set addresses_;     // "local@domain", ASCII lower case
  string_set domains_;       // exact domains, lower case, no trailing dot
  string_set domain_trees_;  // a domain and all its subdomains
};

struct lenient_parse_result {
  address_list list;
  std::vector<skipped_entry> skipped;
};

}  // namespace posta::mail::smtp::policy
