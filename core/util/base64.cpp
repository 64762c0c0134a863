// Base64 and base64url (RFC 4648 §4, §5) with a strict, non-throwing decoder.
#include "core/util/base64.hpp"

#include <array>
#include <cstdint>

namespace posta::util {
namespace {

constexpr std::string_view standard_chars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view url_chars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::uint8_t invalid = 0xff;

constexpr std::array<std::uint8_t, 256> make_table(std::string_view chars) {
  std::array<std::uint8_t, 256> table{};
  table.fill(invalid);
  for (std::size_t i = 0; i < chars.size(); ++i) table[static_cast<unsigned char>(chars[i])] = static_cast<std::uint8_t>(i);
  return table;
}

constexpr auto standard_table = make_table(standard_chars);
constexpr auto url_table = make_table(url_chars);

bool is_base64_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

error bad(std::string_view why) { return make_error(errc::invalid_argument, "invalid base64: " + std::string(why)); }

// Removes ignorable whitespace, or refuses it, per the options.
result<std::string> strip_whitespace(std::string_view text, base64_whitespace policy) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (!is_base64_space(c)) {
      out.push_back(c);
    } else if (policy == base64_whitespace::reject) {
      return bad("whitespace");
    }
  }
  return out;
}

// Splits off the trailing '=' characters and checks they fit the policy.
result<std::string_view> strip_padding(std::string_view text, base64_padding policy) {
  std::size_t pads = 0;
  while (pads < text.size() && text[text.size() - 1 - pads] == '=') ++pads;
  if (policy == base64_padding::none) {
    if (pads != 0) return bad("unexpected padding");
    if (text.size() % 4 == 1) return bad("truncated input");
    return text;
  }
  if (text.size() % 4 != 0) return bad("length is not a multiple of 4");
  if (pads > 2) return bad("too much padding");
  return text.substr(0, text.size() - pads);
}

}  // namespace

std::string base64_encode(std::string_view bytes, base64_alphabet alphabet, base64_padding padding) {
  std::string_view const chars = alphabet == base64_alphabet::url ? url_chars : standard_chars;
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t const n = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                            (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                            static_cast<unsigned char>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out.push_back(chars[(n >> shift) & 0x3f]);
  }
  std::size_t const rest = bytes.size() - i;
  if (rest == 0) return out;
  std::uint32_t n = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
  if (rest == 2) n |= std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
  out.push_back(chars[(n >> 18) & 0x3f]);
  out.push_back(chars[(n >> 12) & 0x3f]);
  if (rest == 2) out.push_back(chars[(n >> 6) & 0x3f]);
  if (padding == base64_padding::required) out.append(rest == 1 ? "==" : "=");
  return out;
}

result<std::string> base64_decode(std::string_view text, base64_options const& options) {
  std::string const compact = POSTA_TRY(strip_whitespace(text, options.whitespace));
  std::string_view const body = POSTA_TRY(strip_padding(compact, options.padding));
  if (body.size() % 4 == 1) return bad("truncated input");
  auto const& table = options.alphabet == base64_alphabet::url ? url_table : standard_table;

  std::string out;
  out.reserve(body.size() / 4 * 3 + 2);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : body) {
    std::uint8_t const v = table[static_cast<unsigned char>(c)];
    if (v == invalid) return bad(c == '=' ? "padding inside the data" : "character outside the alphabet");
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  // SECURITY: leftover bits must be zero, so that one value has one encoding.
  if ((acc & ((1u << bits) - 1)) != 0) return bad("non-zero trailing bits");
  return out;
}

}  // namespace posta::util
