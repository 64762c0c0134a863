// JID validation on top of gloox::JID (RFC 7622 sections 3.1-3.4).
#include "jabber/xml/jid.hpp"

#include "core/identity/names.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <array>

namespace posta::jabber::xml {

namespace {

// RFC 7622 section 3.2: IP-literal (an IPv6 address in brackets) or IPv4address.
bool is_ip_literal(std::string_view domain) {
  return domain.front() == '[' ||
         std::all_of(domain.begin(), domain.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

// The canonical text form of an IP literal. SECURITY: inet_pton accepts only
// the strict forms (four decimal parts, no octal, no zone index).
result<std::string> normalise_ip_literal(std::string_view domain) {
  bool const bracketed = domain.front() == '[';
  if (bracketed && (domain.size() < 3 || domain.back() != ']'))
    return make_error(jid_errc::invalid_domainpart, "IP literal");
  std::string const text(bracketed ? domain.substr(1, domain.size() - 2) : domain);
  int const family = bracketed ? AF_INET6 : AF_INET;
  std::array<unsigned char, 16> address{};
  std::array<char, INET6_ADDRSTRLEN> out{};
  if (inet_pton(family, text.c_str(), address.data()) != 1 ||
      !inet_ntop(family, address.data(), out.data(), out.size())) {
    return make_error(jid_errc::invalid_domainpart, "IP address");
  }
  return bracketed ? "[" + std::string(out.data()) + "]" : std::string(out.data());
}

// SECURITY: gloox 1.0.24 (prep.cpp) copies a part into a 1023-byte calloc'd
// buffer with strncpy and hands it to stringprep: a part of exactly 1023
// bytes has no terminating NUL and is read past the end of the heap block
// (found by this module's tests under ASan). So gloox never sees a part of
// more than 1022 bytes, one less than RFC 7622 allows. Stanza classes of
// gloox parse 'to' and 'from' through the same code: build them only from
// attributes that parse_jid accepted. (The domainpart gloox sees is the
// normalised one: at most 253 bytes, or an IP literal.)
constexpr std::size_t gloox_max_part_bytes = 1022;

result<void> within_gloox_bounds(jid_parts const& parts) {
  if (parts.localpart.size() > gloox_max_part_bytes) return make_error(jid_errc::localpart_too_long);
  if (parts.resourcepart.size() > gloox_max_part_bytes) return make_error(jid_errc::resourcepart_too_long);
  return {};
}

// Each part prepared by gloox, then checked again: stringprep's NFKC maps,
// for example, a fullwidth commercial at (U+FF20) to '@'.
result<void> prepare(gloox::JID& jid, jid_parts const& parts, std::string const& domain) {
  POSTA_TRY(within_gloox_bounds(parts));
  if (parts.has_localpart) {
    if (!jid.setUsername(std::string(parts.localpart))) return make_error(jid_errc::preparation_failed, "localpart");
    POSTA_TRY(check_localpart(jid.username()));
    if (jid.username().size() > max_jid_part_bytes) return make_error(jid_errc::localpart_too_long);
  }
  if (parts.has_resourcepart) {
    if (!jid.setResource(std::string(parts.resourcepart)))
      return make_error(jid_errc::preparation_failed, "resourcepart");
    POSTA_TRY(check_resourcepart(jid.resource()));
    if (jid.resource().size() > max_jid_part_bytes) return make_error(jid_errc::resourcepart_too_long);
  }
  if (!jid.setServer(domain)) return make_error(jid_errc::preparation_failed, "domainpart");
  return {};
}

}  // namespace

result<std::string> normalise_domainpart(std::string_view domain) {
  if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  if (domain.empty()) return make_error(jid_errc::empty_domainpart);
  if (is_ip_literal(domain)) return normalise_ip_literal(domain);
  auto name = identity::normalise_domain(domain);
  if (!name) return make_error(jid_errc::invalid_domainpart, name.error().context);
  return std::move(*name);
}

result<gloox::JID> parse_jid(std::string_view text) {
  auto const parts = POSTA_TRY(split_jid(text));
  if (parts.has_localpart) POSTA_TRY(check_localpart(parts.localpart));
  if (parts.has_resourcepart) POSTA_TRY(check_resourcepart(parts.resourcepart));
  auto const domain = POSTA_TRY(normalise_domainpart(parts.domainpart));
  gloox::JID jid;
  POSTA_TRY(prepare(jid, parts, domain));
  return jid;
}

}  // namespace posta::jabber::xml
