// CIDR networks: strict parsing with normalisation of host bits, and prefix
// comparison on the address bytes (RFC 4632 3.1, RFC 4291 2.3, 2.5.5.2).
#include "mail/smtp/policy/networks.hpp"

#include <array>
#include <optional>
#include <cstdint>

namespace posta::mail::smtp::policy {
namespace ip = boost::asio::ip;
namespace {

constexpr unsigned v4_bits = 32;
constexpr unsigned v6_bits = 128;
constexpr unsigned mapped_prefix_bits = 96;  // ::ffff:0:0/96 (RFC 4291 2.5.5.2)

result<network> invalid(std::string_view text, std::string_view why) {
  return make_error(errc::invalid_argument, "network \"" + std::string(text) + "\": " + std::string(why));
}

// "8" -> 8; nullopt for "", "08", "+8", "1234", non-digits.
std::optional<unsigned> parse_prefix(std::string_view s) {
  if (s.empty() || s.size() > 3 || (s.size() > 1 && s.front() == '0')) return std::nullopt;
  unsigned n = 0;
  for (char const c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<unsigned>(c - '0');
  }
  return n;
}

// The address part: optional brackets, no zone id, parsed by inet_pton rules.
std::optional<ip::address> parse_address(std::string_view s) {
  if (!s.empty() && s.front() == '[') {
    if (s.size() < 2 || s.back() != ']') return std::nullopt;
    s = s.substr(1, s.size() - 2);
  }
  if (s.empty() || s.find('%') != std::string_view::npos) return std::nullopt;
  boost::system::error_code ec;
  auto const a = ip::make_address(std::string(s), ec);
  if (ec) return std::nullopt;
  return a;
}

// Keeps the first `prefix` bits of `bytes`, clears the rest.
template <std::size_t N>
void clear_host_bits(std::array<unsigned char, N>& bytes, unsigned prefix) {
  for (std::size_t i = 0; i < N; ++i) {
    unsigned const first_bit = static_cast<unsigned>(i) * 8;
    if (prefix >= first_bit + 8) continue;
    unsigned const keep = prefix > first_bit ? prefix - first_bit : 0;
    bytes[i] &= static_cast<unsigned char>(0xff00u >> keep);
  }
}

network normalise(ip::address a, unsigned prefix) {
  if (a.is_v6() && a.to_v6().is_v4_mapped() && prefix >= mapped_prefix_bits) {
    a = ip::make_address_v4(ip::v4_mapped, a.to_v6());
    prefix -= mapped_prefix_bits;
  }
  if (a.is_v4()) {
    auto bytes = a.to_v4().to_bytes();
    clear_host_bits(bytes, prefix);
    return network{ip::address_v4(bytes), prefix};
  }
  auto bytes = a.to_v6().to_bytes();  // drops any zone id
  clear_host_bits(bytes, prefix);
  return network{ip::address_v6(bytes), prefix};
}

template <std::size_t N>
bool same_prefix(std::array<unsigned char, N> a, std::array<unsigned char, N> const& b, unsigned prefix) {
  clear_host_bits(a, prefix);
  auto masked_b = b;
  clear_host_bits(masked_b, prefix);
  return a == masked_b;
}

}  // namespace

result<network> parse_network(std::string_view text) {
  auto const slash = text.find('/');
  auto const addr = parse_address(text.substr(0, slash));
  if (!addr) return invalid(text, "not an IP address");
  unsigned const width = addr->is_v4() ? v4_bits : v6_bits;
  unsigned prefix = width;
  if (slash != std::string_view::npos) {
    auto const p = parse_prefix(text.substr(slash + 1));
    // SECURITY: a prefix past the width would silently mean "one host" or
    // "everything" depending on how it is clamped; refuse it instead.
    if (!p || *p > width) return invalid(text, "bad prefix length");
    prefix = *p;
  }
  return normalise(*addr, prefix);
}

ip::address unmap(ip::address const& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  return a;
}

bool contains(network const& net, ip::address const& peer) {
  auto const a = unmap(peer);
  if (a.is_v4() != net.base.is_v4()) return false;
  if (a.is_v4()) return same_prefix(a.to_v4().to_bytes(), net.base.to_v4().to_bytes(), net.prefix);
  return same_prefix(a.to_v6().to_bytes(), net.base.to_v6().to_bytes(), net.prefix);
}

std::string to_string(network const& net) {
  return net.base.to_string() + "/" + std::to_string(net.prefix);
}

}  // namespace posta::mail::smtp::policy
