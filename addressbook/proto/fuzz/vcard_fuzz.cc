// libFuzzer target: vCard files on any bytes (bounded, never throws), the
// fields of every card, and the writer: a 3.0 or 4.0 card written out reads
// back to the same properties.
#include "addressbook/proto/card_fields.hpp"
#include "addressbook/proto/vcard_writer.hpp"

#include <cstdlib>
#include <string_view>

using namespace posta::addressbook::proto;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view in(reinterpret_cast<char const*>(data), size);
  vcard_limits limits;
  limits.max_cards = 50;
  auto file = parse_vcard_file(in, limits);
  if (!file) return 0;
  if (file->cards.size() > limits.max_cards) std::abort();
  for (auto const& card : file->cards) {
    (void)extract_fields(card);
    if (card.version == vcard_version::v2_1) continue;  // 2.1's soft breaks do not survive a rewrite
    auto back = parse_vcard(format_vcard(card), limits);
    if (!back || back->version != card.version || back->properties != card.properties) std::abort();
  }
  return 0;
}
