// LIST and UIDL scan lines in bounded pieces (RFC 1939 7).
#include "mail/pop3/proto/listing.hpp"

namespace posta::mail::pop3::proto {

std::uint32_t append_listing(maildrop const& drop, listing_kind kind, std::uint32_t from, std::string& out,
                             std::size_t max_bytes) {
  std::uint32_t n = from == 0 ? 1 : from;
  for (; n <= drop.size() && out.size() < max_bytes; ++n) {
    if (!drop.is_listed(n)) continue;
    out += std::to_string(n);
    out += ' ';
    out += kind == listing_kind::sizes ? std::to_string(drop.at(n).size) : drop.unique_id(n);
    out += "\r\n";
  }
  return n;
}

}  // namespace posta::mail::pop3::proto
