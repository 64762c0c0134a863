#include "search/proto/terms.hpp"

#include <charconv>

namespace posta::search::proto {

std::optional<message_key> parse_key(std::string_view key) {
  auto const colon = key.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  message_key k;
  auto const* end = key.data() + key.size();
  auto a = std::from_chars(key.data(), key.data() + colon, k.mailbox_id);
  auto b = std::from_chars(key.data() + colon + 1, end, k.uid);
  if (a.ec != std::errc{} || a.ptr != key.data() + colon || b.ec != std::errc{} || b.ptr != end) return std::nullopt;
  return k;
}

}  // namespace posta::search::proto
