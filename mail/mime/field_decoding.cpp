// Single-field decoding with GMime 3 (RFC 2045 5, RFC 2183, RFC 2231,
// RFC 2047, RFC 5322 3.3). GMime stays inside this file.
#include "mail/mime/field_decoding.hpp"

#include "mail/mime/header_block.hpp"
#include "mail/mime/utf8.hpp"

#include <gmime/gmime.h>

#include <cstdint>
#include <memory>
#include <mutex>

namespace posta::mail::mime {

namespace {

// g_mime_init is not thread-safe; the first parse on any thread runs it once.
GMimeParserOptions* gmime_options() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
  return g_mime_parser_options_get_default();
}

struct gobject_unref {
  void operator()(void* p) const {
    if (p) g_object_unref(p);
  }
};
template <class T>
using gobject_ptr = std::unique_ptr<T, gobject_unref>;

struct gfree {
  void operator()(char* p) const { g_free(p); }
};

// NUL-terminated copy for GMime, cut at max_field_bytes.
std::string c_string(std::string_view value) {
  return std::string(value.substr(0, max_field_bytes));
}

bool is_token_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u > 32 && u < 127 && std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

// "type/subtype" at the start of the value, WSP allowed around the slash.
bool looks_like_media_type(std::string_view v) {
  std::size_t i = 0;
  auto skip_wsp = [&] {
    while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;
  };
  auto token = [&] {
    auto start = i;
    while (i < v.size() && is_token_char(v[i])) ++i;
    return i > start;
  };
  skip_wsp();
  if (!token()) return false;
  skip_wsp();
  if (i >= v.size() || v[i] != '/') return false;
  ++i;
  skip_wsp();
  return token();
}

std::vector<parameter> convert_params(GMimeParamList* list) {
  std::vector<parameter> out;
  int n = list ? g_mime_param_list_length(list) : 0;
  for (int i = 0; i < n && out.size() < max_parameters; ++i) {
    GMimeParam* p = g_mime_param_list_get_parameter_at(list, i);
    char const* name = g_mime_param_get_name(p);
    char const* value = g_mime_param_get_value(p);
    if (!name || !*name) continue;
    out.push_back(parameter{to_lower(sanitize_utf8(name)), sanitize_utf8(value ? value : "")});
  }
  return out;
}

}  // namespace

std::optional<media_type> parse_content_type(std::string_view value) {
  if (!looks_like_media_type(value)) return std::nullopt;
  auto text = c_string(value);
  gobject_ptr<GMimeContentType> ct(g_mime_content_type_parse(gmime_options(), text.c_str()));
  if (!ct) return std::nullopt;
  char const* type = g_mime_content_type_get_media_type(ct.get());
  char const* subtype = g_mime_content_type_get_media_subtype(ct.get());
  if (!type || !subtype || !*type || !*subtype) return std::nullopt;
  return media_type{to_lower(type), to_lower(subtype),
                    convert_params(g_mime_content_type_get_parameters(ct.get()))};
}

std::optional<disposition_field> parse_content_disposition(std::string_view value) {
  auto text = c_string(value);
  gobject_ptr<GMimeContentDisposition> cd(
      g_mime_content_disposition_parse(gmime_options(), text.c_str()));
  if (!cd) return std::nullopt;
  char const* type = g_mime_content_disposition_get_disposition(cd.get());
  if (!type || !*type) return std::nullopt;
  return disposition_field{to_lower(sanitize_utf8(type)),
                           convert_params(g_mime_content_disposition_get_parameters(cd.get()))};
}

std::string decode_header_text(std::string_view raw) {
  auto text = c_string(raw);  // an embedded NUL just ends the text
  std::unique_ptr<char, gfree> decoded(g_mime_utils_header_decode_text(gmime_options(), text.c_str()));
  return sanitize_utf8(decoded ? std::string_view(decoded.get()) : std::string_view());
}

namespace {

std::string decode_8bit(std::string_view text) {
  std::unique_ptr<char, gfree> guessed(g_mime_utils_decode_8bit(gmime_options(), text.data(), text.size()));
  return sanitize_utf8(guessed ? std::string_view(guessed.get()) : std::string_view());
}

}  // namespace

std::string charset_to_utf8(std::string_view text, std::string_view charset) {
  auto name = to_lower(charset.substr(0, 64));
  if (name == "utf-8" || name == "utf8") return sanitize_utf8(text);
  // COMPAT: 8-bit text labelled us-ascii, or not labelled, is mostly Latin-1
  // or Windows-1252 from old clients.
  if (name.empty() || name == "us-ascii") return is_valid_utf8(text) ? sanitize_utf8(text) : decode_8bit(text);
  gmime_options();
  iconv_t cd = g_mime_iconv_open("UTF-8", g_mime_charset_iconv_name(name.c_str()));
  if (reinterpret_cast<std::intptr_t>(cd) == -1) return decode_8bit(text);  // iconv's (iconv_t)-1
  std::unique_ptr<char, gfree> converted(g_mime_iconv_strndup(cd, text.data(), text.size()));
  g_mime_iconv_close(cd);
  return converted ? sanitize_utf8(converted.get()) : decode_8bit(text);
}

std::optional<std::int64_t> parse_date(std::string_view value) {
  gmime_options();
  auto text = c_string(value);
  GDateTime* dt = g_mime_utils_header_decode_date(text.c_str());
  if (!dt) return std::nullopt;
  std::int64_t seconds = g_date_time_to_unix(dt);
  g_date_time_unref(dt);
  return seconds;
}

}  // namespace posta::mail::mime
