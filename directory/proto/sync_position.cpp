#include "directory/proto/sync_position.hpp"

#include <algorithm>
#include <cstdint>

namespace posta::directory::proto {
namespace {

// Samba's drsblobs.idl, ldapControlDirSyncBlob after the "MSDS" signature:
// u1, time (8), u2, u3, extra_length, then the high-water mark
// (tmp_highest_usn, reserved_usn, highest_usn: 8 bytes each).
constexpr std::size_t highest_usn_offset = 44;

std::uint64_t little_endian64(std::string_view bytes) {
  std::uint64_t v = 0;
  for (std::size_t i = 8; i-- > 0;) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return v;
}

bool printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

}  // namespace

std::string short_position(std::string_view cookie) {
  if (cookie.substr(0, 4) == "MSDS" && cookie.size() >= highest_usn_offset + 8)
    return "USN " + std::to_string(little_endian64(cookie.substr(highest_usn_offset, 8)));
  if (printable(cookie)) {
    // SECURITY: bounded for display whatever the server sent.
    constexpr std::size_t shown = 64;
    return cookie.size() <= shown ? std::string(cookie) : std::string(cookie.substr(0, shown)) + "...";
  }
  return std::to_string(cookie.size()) + " bytes";
}

}  // namespace posta::directory::proto
