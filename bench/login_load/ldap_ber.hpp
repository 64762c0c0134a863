// The two LDAP requests the login load generator sends, in BER (RFC 4511
// 4.2 BindRequest with simple authentication, 4.5.1 SearchRequest of one
// entry's attributes at scope base), and the reading of the server's
// answers (BindResponse, SearchResultEntry/Done): enough to measure a
// directory's own bind rate with no LDAP library between. Pure: no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace posta::bench::login_load {

std::string ber_simple_bind(std::uint32_t message_id, std::string_view dn, std::string_view password);
// (objectClass=*) at scope base, asking for `attributes` only.
std::string ber_base_search(std::uint32_t message_id, std::string_view dn, std::vector<std::string> const& attributes);

struct ldap_message {
  std::uint32_t message_id = 0;
  unsigned char op = 0;      // 0x61 BindResponse, 0x64 SearchResultEntry, 0x65 SearchResultDone …
  int result_code = -1;      // of a response that has one (not of an entry)
  std::size_t size = 0;      // bytes of the whole message
};

enum class ber_status { complete, need_more, malformed };

// SECURITY: a message announcing more than max_bytes is malformed (the
// client never buffers without bound).
ber_status read_ldap_message(std::string_view bytes, ldap_message& out, std::size_t max_bytes = 1 << 20);

}  // namespace posta::bench::login_load
