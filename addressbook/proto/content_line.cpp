#include "addressbook/proto/content_line.hpp"

#include "core/util/ascii.hpp"

namespace posta::addressbook::proto {
namespace {

// RFC 6350 3.3: names are ALPHA / DIGIT / "-". COMPAT: "_" too, which some
// exporters put into X- names.
bool is_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// Text may hold HT but no other control character (RFC 6350 3.3 VALUE-CHAR).
bool is_text_char(char c) {
  auto const u = static_cast<unsigned char>(c);
  return u == '\t' || (u >= 0x20 && u != 0x7f);
}

bool is_folded_continuation(std::string_view physical) {
  return !physical.empty() && (physical.front() == ' ' || physical.front() == '\t');
}

// The part of a line before its value: up to the first ':' outside quotes.
std::string_view head_of(std::string_view line) {
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '"') quoted = !quoted;
    if (line[i] == ':' && !quoted) return line.substr(0, i);
  }
  return line;
}

bool is_quoted_printable(std::string_view logical) {
  auto const head = util::ascii_uppercase(head_of(logical));
  return head.find("QUOTED-PRINTABLE") != std::string::npos;
}

std::vector<std::string_view> physical_lines(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r' && text[i] != '\n') continue;
    out.push_back(text.substr(start, i - start));
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  if (start < text.size()) out.push_back(text.substr(start));
  return out;
}

struct cursor {
  std::string_view s;
  std::size_t at = 0;
  bool done() const { return at >= s.size(); }
  char peek() const { return s[at]; }
  bool take(char c) {
    if (done() || s[at] != c) return false;
    ++at;
    return true;
  }
};

result<std::string> read_name(cursor& in, line_limits const& limits, char const* what) {
  auto const start = in.at;
  while (!in.done() && is_name_char(in.peek())) ++in.at;
  if (in.at == start) return make_error(errc::invalid_argument, std::string("missing ") + what);
  if (in.at - start > limits.max_name_bytes) return make_error(errc::limit_exceeded, std::string(what) + " too long");
  return std::string(in.s.substr(start, in.at - start));
}

std::string decode_carets(std::string_view v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '^' && i + 1 < v.size() && (v[i + 1] == 'n' || v[i + 1] == 'N' || v[i + 1] == '^' || v[i + 1] == '\'')) {
      char const next = v[++i];
      out += next == '^' ? '^' : next == '\'' ? '"' : '\n';
    } else {
      out += v[i];
    }
  }
  return out;
}

result<std::string> read_param_value(cursor& in) {
  std::string value;
  if (in.take('"')) {
    while (!in.done() && in.peek() != '"') {
      if (!is_text_char(in.peek())) return make_error(errc::invalid_argument, "control character in a parameter");
      value += in.s[in.at++];
    }
    if (!in.take('"')) return make_error(errc::invalid_argument, "unterminated quoted parameter value");
    return value;
  }
  while (!in.done() && in.peek() != ',' && in.peek() != ';' && in.peek() != ':') {
    if (!is_text_char(in.peek()) || in.peek() == '"')
      return make_error(errc::invalid_argument, "bad character in a parameter value");
    value += in.s[in.at++];
  }
  return value;
}

// COMPAT(vCard 2.1): a parameter without "=" is a TYPE value, except the
// encodings 2.1 also allows bare.
parameter bare_parameter(std::string word) {
  auto const upper = util::ascii_uppercase(word);
  bool const encoding = upper == "QUOTED-PRINTABLE" || upper == "BASE64" || upper == "8BIT" || upper == "7BIT";
  return {encoding ? "ENCODING" : "TYPE", {std::move(word)}};
}

result<parameter> read_parameter(cursor& in, bool caret_escapes, line_limits const& limits) {
  auto name = POSTA_TRY(read_name(in, limits, "parameter name"));
  if (!in.take('=')) return bare_parameter(std::move(name));
  parameter p{util::ascii_uppercase(name), {}};
  do {
    if (p.values.size() == limits.max_param_values)
      return make_error(errc::limit_exceeded, "too many values of parameter " + p.name);
    auto value = POSTA_TRY(read_param_value(in));
    p.values.push_back(caret_escapes ? decode_carets(value) : std::move(value));
  } while (in.take(','));
  return p;
}

}  // namespace

parameter const* content_line::param(std::string_view wanted) const {
  for (auto const& p : params)
    if (p.name == wanted) return &p;
  return nullptr;
}

std::string content_line::param_value(std::string_view wanted) const {
  auto const* p = param(wanted);
  return p && !p->values.empty() ? p->values.front() : std::string();
}

bool content_line::has_type(std::string_view type) const {
  for (auto const& p : params) {
    if (p.name != "TYPE") continue;
    for (auto const& v : p.values)
      if (util::ascii_iequals(v, type)) return true;
  }
  return false;
}

std::vector<std::string> unfold_lines(std::string_view text) {
  std::vector<std::string> out;
  for (auto physical : physical_lines(text)) {
    if (!out.empty() && is_folded_continuation(physical)) {
      out.back().append(physical.substr(1));
      continue;
    }
    if (!out.empty() && !physical.empty() && out.back().ends_with('=') && is_quoted_printable(out.back()) &&
        !util::ascii_iequals(physical, "END:VCARD")) {
      out.back().pop_back();  // the soft line break
      out.back().append(physical);
      continue;
    }
    if (!physical.empty()) out.emplace_back(physical);
  }
  return out;
}

result<content_line> parse_content_line(std::string_view line, bool caret_escapes, line_limits const& limits) {
  cursor in{line};
  content_line out;
  out.name = POSTA_TRY(read_name(in, limits, "property name"));
  if (in.take('.')) {
    out.group = std::move(out.name);
    out.name = POSTA_TRY(read_name(in, limits, "property name"));
  }
  out.name = util::ascii_uppercase(out.name);
  while (in.take(';')) {
    if (out.params.size() == limits.max_params)
      return make_error(errc::limit_exceeded, "too many parameters of " + out.name);
    out.params.push_back(POSTA_TRY(read_parameter(in, caret_escapes, limits)));
  }
  if (!in.take(':')) return make_error(errc::invalid_argument, "no ':' after " + out.name);
  out.value = std::string(line.substr(in.at));
  for (char c : out.value)
    if (!is_text_char(c)) return make_error(errc::invalid_argument, "control character in the value of " + out.name);
  return out;
}

}  // namespace posta::addressbook::proto
