// Lowercase hexadecimal encoding of bytes (hashes, bytea parameters).
#pragma once

#include <string>
#include <string_view>

namespace posta::util {

inline std::string hex_encode(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.resize(bytes.size() * 2);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = digits[b >> 4];
    out[2 * i + 1] = digits[b & 15];
  }
  return out;
}

}  // namespace posta::util
