// Modified UTF-7 (RFC 3501 5.1.3): base64 of UTF-16 with ',' for '/', shifted
// by '&' ... '-'; strict decoding so that each name has exactly one spelling.
#include "mail/imap/proto/mutf7.hpp"

#include "mail/imap/proto/utf8.hpp"

#include <cstdint>
#include <vector>

namespace posta::mail::imap::proto {

namespace {

constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

bool is_printable(unsigned char c) {
  return c >= 0x20 && c <= 0x7e;
}

int b64_value(char c) {
  auto p = alphabet.find(c);
  return p == std::string_view::npos ? -1 : static_cast<int>(p);
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

void encode_run(std::string& out, std::vector<std::uint16_t> const& units) {
  out.push_back('&');
  std::uint32_t bits = 0;
  int nbits = 0;
  for (auto u : units) {
    bits = (bits << 16) | u;
    nbits += 16;
    while (nbits >= 6) {
      nbits -= 6;
      out.push_back(alphabet[(bits >> nbits) & 0x3f]);
    }
  }
  if (nbits > 0) out.push_back(alphabet[(bits << (6 - nbits)) & 0x3f]);
  out.push_back('-');
}

// Decodes the base64 between '&' and '-' into UTF-16 units; false on bad bits.
bool decode_units(std::string_view b64, std::vector<std::uint16_t>& units) {
  std::uint32_t bits = 0;
  int nbits = 0;
  for (char c : b64) {
    int v = b64_value(c);
    if (v < 0) return false;
    bits = ((bits << 6) | static_cast<std::uint32_t>(v)) & 0x3fffff;
    nbits += 6;
    if (nbits >= 16) {
      nbits -= 16;
      units.push_back(static_cast<std::uint16_t>(bits >> nbits));
    }
  }
  // Leftover bits must be fewer than 6 (no wasted character) and zero.
  return nbits < 6 && (bits & ((1u << nbits) - 1)) == 0;
}

// UTF-16 units -> UTF-8; false on unpaired surrogates, NUL or printable ASCII.
bool append_units(std::string& out, std::vector<std::uint16_t> const& units) {
  for (std::size_t i = 0; i < units.size(); ++i) {
    char32_t cp = units[i];
    if (cp >= 0xdc00 && cp <= 0xdfff) return false;
    if (cp >= 0xd800 && cp <= 0xdbff) {
      if (i + 1 == units.size() || units[i + 1] < 0xdc00 || units[i + 1] > 0xdfff) return false;
      cp = 0x10000 + ((cp - 0xd800) << 10) + (units[++i] - 0xdc00);
    }
    if (cp == 0 || (cp < 0x80 && is_printable(static_cast<unsigned char>(cp)))) return false;
    append_utf8(out, cp);
  }
  return true;
}

}  // namespace

std::string mutf7_encode(std::string_view utf8) {
  std::string out;
  std::vector<std::uint16_t> run;
  for (std::size_t i = 0; i < utf8.size();) {
    char32_t cp = decode_utf8(utf8, i).value_or(U'\uFFFD');
    if (cp < 0x80 && is_printable(static_cast<unsigned char>(cp))) {
      if (!run.empty()) encode_run(out, run), run.clear();
      if (cp == '&')
        out += "&-";
      else
        out.push_back(static_cast<char>(cp));
    } else if (cp >= 0x10000) {
      run.push_back(static_cast<std::uint16_t>(0xd800 + ((cp - 0x10000) >> 10)));
      run.push_back(static_cast<std::uint16_t>(0xdc00 + ((cp - 0x10000) & 0x3ff)));
    } else {
      run.push_back(static_cast<std::uint16_t>(cp));
    }
  }
  if (!run.empty()) encode_run(out, run);
  return out;
}

std::optional<std::string> mutf7_decode(std::string_view in) {
  std::string out;
  bool after_run = false;  // a run directly after another must have been one run
  for (std::size_t i = 0; i < in.size();) {
    auto c = static_cast<unsigned char>(in[i]);
    if (!is_printable(c)) return std::nullopt;
    if (c != '&') {
      out.push_back(static_cast<char>(c));
      ++i, after_run = false;
      continue;
    }
    auto dash = in.find('-', i + 1);
    if (dash == std::string_view::npos) return std::nullopt;
    if (dash == i + 1) {
      out.push_back('&');
      i += 2, after_run = false;
      continue;
    }
    std::vector<std::uint16_t> units;
    if (after_run || !decode_units(in.substr(i + 1, dash - i - 1), units) || units.empty()) return std::nullopt;
    if (!append_units(out, units)) return std::nullopt;
    i = dash + 1, after_run = true;
  }
  return out;
}

}  // namespace posta::mail::imap::proto
