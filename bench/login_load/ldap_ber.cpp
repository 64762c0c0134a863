// BER of RFC 4511's bind and base search, and of their answers (X.690
// definite lengths; the server's messages are read, never trusted beyond
// their announced sizes).
#include "bench/login_load/ldap_ber.hpp"

namespace posta::bench::login_load {
namespace {

std::string length(std::size_t n) {
  if (n < 0x80) return std::string(1, static_cast<char>(n));
  std::string bytes;
  for (; n > 0; n >>= 8) bytes.insert(bytes.begin(), static_cast<char>(n & 0xff));
  return std::string(1, static_cast<char>(0x80 | bytes.size())) + bytes;
}

std::string tlv(unsigned char tag, std::string_view value) {
  std::string out(1, static_cast<char>(tag));
  out += length(value.size());
  out += value;
  return out;
}

std::string integer(unsigned char tag, std::uint32_t v) {
  std::string bytes;
  do {
    bytes.insert(bytes.begin(), static_cast<char>(v & 0xff));
    v >>= 8;
  } while (v > 0);
  if (static_cast<unsigned char>(bytes.front()) & 0x80) bytes.insert(bytes.begin(), '\0');  // stays positive
  return tlv(tag, bytes);
}

std::string message(std::uint32_t id, std::string const& op) { return tlv(0x30, integer(0x02, id) + op); }

// One TLV header at `at`: tag, then the value's offset and length.
struct header {
  unsigned char tag = 0;
  std::size_t value = 0, size = 0;
};

ber_status read_header(std::string_view b, std::size_t at, header& h) {
  if (b.size() < at + 2) return ber_status::need_more;
  h.tag = static_cast<unsigned char>(b[at]);
  auto first = static_cast<unsigned char>(b[at + 1]);
  std::size_t pos = at + 2;
  if (first < 0x80) {
    h.size = first;
  } else {
    std::size_t n = first & 0x7f;
    if (n == 0 || n > 4) return ber_status::malformed;  // indefinite, or absurd
    if (b.size() < pos + n) return ber_status::need_more;
    h.size = 0;
    for (std::size_t i = 0; i < n; ++i) h.size = (h.size << 8) | static_cast<unsigned char>(b[pos + i]);
    pos += n;
  }
  h.value = pos;
  return ber_status::complete;
}

std::optional<std::uint32_t> small_integer(std::string_view b, header const& h) {
  if (h.size == 0 || h.size > 4 || h.value + h.size > b.size()) return std::nullopt;
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < h.size; ++i) v = (v << 8) | static_cast<unsigned char>(b[h.value + i]);
  return v;
}

}  // namespace

std::string ber_simple_bind(std::uint32_t message_id, std::string_view dn, std::string_view password) {
  return message(message_id, tlv(0x60, integer(0x02, 3) + tlv(0x04, dn) + tlv(0x80, password)));
}

std::string ber_base_search(std::uint32_t message_id, std::string_view dn, std::vector<std::string> const& attributes) {
  std::string attrs;
  for (auto const& a : attributes) attrs += tlv(0x04, a);
  std::string body = tlv(0x04, dn) + integer(0x0a, 0) /* base */ + integer(0x0a, 0) /* never deref */ +
                     integer(0x02, 1) /* size limit */ + integer(0x02, 10) /* time limit */ +
                     tlv(0x01, std::string(1, '\0')) /* typesOnly FALSE */ + tlv(0x87, "objectClass") +
                     tlv(0x30, attrs);
  return message(message_id, tlv(0x63, body));
}

ber_status read_ldap_message(std::string_view b, ldap_message& out, std::size_t max_bytes) {
  header outer;
  if (auto st = read_header(b, 0, outer); st != ber_status::complete) return st;
  if (outer.tag != 0x30 || outer.size > max_bytes) return ber_status::malformed;
  if (b.size() < outer.value + outer.size) return ber_status::need_more;
  out.size = outer.value + outer.size;
  auto const body = b.substr(0, out.size);
  header id, op, code;
  if (read_header(body, outer.value, id) != ber_status::complete || id.tag != 0x02) return ber_status::malformed;
  auto n = small_integer(body, id);
  if (!n) return ber_status::malformed;
  out.message_id = *n;
  if (read_header(body, id.value + id.size, op) != ber_status::complete) return ber_status::malformed;
  out.op = op.tag;
  out.result_code = -1;
  if (op.tag == 0x64) return ber_status::complete;  // an entry: no result code
  if (read_header(body, op.value, code) != ber_status::complete || code.tag != 0x0a) return ber_status::malformed;
  auto rc = small_integer(body, code);
  if (!rc) return ber_status::malformed;
  out.result_code = static_cast<int>(*rc);
  return ber_status::complete;
}

}  // namespace posta::bench::login_load
