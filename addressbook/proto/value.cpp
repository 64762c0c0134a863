#include "addressbook/proto/value.hpp"

#include "core/util/ascii.hpp"
#include "core/util/base64.hpp"
#include "core/util/hex.hpp"
#include "core/util/utf8.hpp"

#include <array>
#include <cstdint>

namespace posta::addressbook::proto {
namespace {

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// windows-1252's 0x80-0x9F (where it differs from ISO-8859-1); 0xFFFD
// where it defines nothing.
constexpr std::array<std::uint16_t, 32> cp1252_high = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

std::string single_byte_to_utf8(std::string_view bytes, bool windows_1252) {
  std::string out;
  for (char c : bytes) {
    auto const b = static_cast<unsigned char>(c);
    if (windows_1252 && b >= 0x80 && b < 0xA0)
      append_utf8(out, cp1252_high[b - 0x80]);
    else
      append_utf8(out, b);
  }
  return out;
}

result<std::string> to_utf8(std::string bytes, std::string_view charset) {
  auto const cs = util::ascii_uppercase(charset);
  if (cs == "ISO-8859-1" || cs == "LATIN1") return single_byte_to_utf8(bytes, false);
  if (cs == "WINDOWS-1252" || cs == "CP1252") return single_byte_to_utf8(bytes, true);
  // UTF-8, US-ASCII, none, or one we do not know: the bytes must be UTF-8.
  if (!util::is_valid_utf8(bytes))
    return make_error(errc::invalid_argument, cs.empty() || cs == "UTF-8" || cs == "US-ASCII"
                                                  ? "value is not valid UTF-8"
                                                  : "value in unknown charset " + cs);
  return bytes;
}

// `marker` followed by two hex digits becomes that byte; anything else is
// kept as it is (RFC 3986 percent-encoding, RFC 2045 quoted-printable).
std::string decode_hex_escapes(std::string_view s, char marker) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == marker && i + 2 < s.size()) {
      int const hi = util::hex_value(s[i + 1]);
      int const lo = util::hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::string percent_decode(std::string_view s) { return decode_hex_escapes(s, '%'); }

result<std::string> decode_base64_lenient(std::string_view text) {
  std::string compact;
  for (char c : text)
    if (c != ' ' && c != '\t') compact += c;
  auto const padding = compact.size() % 4 == 0 ? util::base64_padding::required : util::base64_padding::none;
  auto bytes = util::base64_decode(compact, util::base64_options{.padding = padding});
  if (!bytes) return make_error(errc::invalid_argument, "bad base64 data");
  return bytes;
}

// 3.0 and 2.1 name an image's format in TYPE: "JPEG", or a media type.
std::string media_type_of(content_line const& line) {
  auto mediatype = line.param_value("MEDIATYPE");
  if (!mediatype.empty()) return util::ascii_lowercase(mediatype);
  auto const type = util::ascii_lowercase(line.param_value("TYPE"));
  if (type.empty() || type.find('/') != std::string::npos) return type;
  return (type == "jpg" ? std::string("image/jpeg") : "image/" + type);
}

// RFC 2397: data:[<mediatype>][;base64],<data>
result<binary_value> data_uri(std::string_view uri) {
  auto const comma = uri.find(',');
  if (comma == std::string_view::npos) return make_error(errc::invalid_argument, "data: URI without ','");
  auto meta = uri.substr(5, comma - 5);
  auto const payload = uri.substr(comma + 1);
  binary_value out;
  bool const base64 = util::ascii_lowercase(meta).ends_with(";base64");
  if (base64) meta.remove_suffix(7);
  out.media_type = util::ascii_lowercase(meta.substr(0, meta.find(';')));
  if (!base64) {
    out.bytes = percent_decode(payload);
    return out;
  }
  out.bytes = POSTA_TRY(decode_base64_lenient(percent_decode(payload)));
  return out;
}

}  // namespace

std::string unescape_text(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\' || i + 1 == raw.size()) {
      out += raw[i];
      continue;
    }
    char const next = raw[i + 1];
    if (next == 'n' || next == 'N') {
      out += '\n';
    } else if (next == '\\' || next == ',' || next == ';' || next == ':') {
      out += next;
    } else {
      out += '\\';  // COMPAT: not an escape; kept
      continue;
    }
    ++i;
  }
  return out;
}

std::string escape_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char const c = text[i];
    if (c == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += "\\n";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      if (c == '\\' || c == ',' || c == ';') out += '\\';
      out += c;
    }
  }
  return out;
}

std::vector<std::string_view> split_unescaped(std::string_view raw, char separator) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\') {
      ++i;
    } else if (raw[i] == separator) {
      out.push_back(raw.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(raw.substr(std::min(start, raw.size())));
  return out;
}

std::vector<std::string> components(std::string_view raw) {
  std::vector<std::string> out;
  for (auto piece : split_unescaped(raw, ';')) out.push_back(unescape_text(piece));
  return out;
}

std::string decode_quoted_printable(std::string_view text) { return decode_hex_escapes(text, '='); }

result<std::string> decoded_raw(content_line const& line) {
  auto const encoding = util::ascii_uppercase(line.param_value("ENCODING"));
  auto bytes = encoding == "QUOTED-PRINTABLE" ? decode_quoted_printable(line.value) : line.value;
  return to_utf8(std::move(bytes), line.param_value("CHARSET"));
}

result<binary_value> decoded_binary(content_line const& line) {
  auto const encoding = util::ascii_uppercase(line.param_value("ENCODING"));
  if (encoding == "B" || encoding == "BASE64") {
    binary_value out;
    out.media_type = media_type_of(line);
    out.bytes = POSTA_TRY(decode_base64_lenient(line.value));
    return out;
  }
  if (util::ascii_lowercase(line.value.substr(0, 5)) == "data:") return data_uri(line.value);
  if (!util::is_valid_utf8(line.value)) return make_error(errc::invalid_argument, "reference is not valid UTF-8");
  return binary_value{media_type_of(line), {}, line.value};
}

}  // namespace posta::addressbook::proto
