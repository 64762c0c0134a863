// Signature templates: see signature_template.hpp.
#include "directory/proto/signature_template.hpp"

#include "core/util/ascii.hpp"
#include "core/util/xml_escape.hpp"

#include <algorithm>
#include <optional>

namespace posta::directory::proto {
namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string_view canonical_name(std::string_view name) {
  for (auto v : signature_variables())
    if (util::ascii_iequals(v, name)) return v;
  return {};
}

// Every src="…" value in `html` starts with "data:" (case-insensitive).
std::optional<std::size_t> first_remote_source(std::string_view html) {
  auto const lower = util::ascii_lowercase(html);
  for (auto at = lower.find("src"); at != std::string::npos; at = lower.find("src", at + 3)) {
    if (at > 0 && (is_name_char(lower[at - 1]) || lower[at - 1] == '-')) continue;  // "data-src", "imgsrc"
    auto i = at + 3;
    while (i < lower.size() && (lower[i] == ' ' || lower[i] == '\t' || lower[i] == '\r' || lower[i] == '\n')) ++i;
    if (i >= lower.size() || lower[i] != '=') continue;
    ++i;
    while (i < lower.size() && (lower[i] == ' ' || lower[i] == '\t' || lower[i] == '\r' || lower[i] == '\n')) ++i;
    if (i < lower.size() && (lower[i] == '"' || lower[i] == '\'')) ++i;
    if (lower.compare(i, 5, "data:") != 0) return at;
  }
  return std::nullopt;
}

bool is_postal_escape(std::string_view two) {
  return two == "24" || util::ascii_iequals(two, "5c");
}

// The lines of an RFC 4517 Postal Address value.
std::vector<std::string> postal_lines(std::string_view value) {
  std::vector<std::string> lines(1);
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '$') {
      lines.emplace_back();
    } else if (value[i] == '\\' && is_postal_escape(value.substr(i + 1, 2))) {
      lines.back() += value[i + 1] == '2' ? '$' : '\\';
      i += 2;
    } else {
      lines.back() += value[i];
    }
  }
  for (auto& l : lines) {
    auto const first = l.find_first_not_of(' ');
    l = first == std::string::npos ? std::string() : l.substr(first, l.find_last_not_of(' ') - first + 1);
  }
  return lines;
}

void append_value(std::string& out, std::string_view variable, std::string_view value, template_kind kind) {
  std::vector<std::string> lines;
  if (variable == "postalAddress") {
    lines = postal_lines(value);
  } else {
    std::string line;
    for (char c : value) {
      if (c == '\n') {
        lines.push_back(std::move(line));
        line.clear();
      } else if (c != '\r') {
        line += c;
      }
    }
    lines.push_back(std::move(line));
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += kind == template_kind::html ? "<br>" : "\n";
    if (kind == template_kind::html)
      util::append_xml_escaped(out, lines[i]);
    else
      out += lines[i];
  }
}

}  // namespace

std::vector<std::string_view> const& signature_variables() {
  static std::vector<std::string_view> const names{
      "cn",          "mail", "title",      "telephoneNumber", "mobile", "pager",  "url", "postalAddress",
      "description", "info", "department", "company",         "ou",     "ounotes"};
  return names;
}

result<signature_template> parse_signature_template(std::string_view text, template_kind kind) {
  if (text.size() > max_signature_template)
    return make_error(errc::invalid_argument,
                      "the template is over " + std::to_string(max_signature_template / 1024) + " KB");
  if (kind == template_kind::html)
    if (auto at = first_remote_source(text))
      return make_error(errc::invalid_argument,
                        "an image source at offset " + std::to_string(*at) + " is not a data: URL");
  signature_template out;
  auto literal = [&out](std::string_view piece) {
    if (out.segments.empty() || out.segments.back().is_variable) out.segments.push_back({});
    out.segments.back().text += piece;
  };
  for (std::size_t i = 0; i < text.size();) {
    auto const open = text.find('[', i);
    if (open == std::string_view::npos) {
      literal(text.substr(i));
      break;
    }
    literal(text.substr(i, open - i));
    if (open + 1 < text.size() && text[open + 1] == '[') {
      literal("[");
      i = open + 2;
      continue;
    }
    auto end = open + 1;
    while (end < text.size() && is_name_char(text[end])) ++end;
    if (end == open + 1 || end >= text.size() || text[end] != ']') {  // "[1]", "[ x ]": text
      literal("[");
      i = open + 1;
      continue;
    }
    auto const name = text.substr(open + 1, end - open - 1);
    auto const known = canonical_name(name);
    if (known.empty())
      return make_error(errc::invalid_argument,
                        "unknown variable [" + std::string(name) + "] at offset " + std::to_string(open));
    out.segments.push_back({std::string(known), true});
    i = end + 1;
  }
  return out;
}

std::string render_signature(signature_template const& t, signature_values const& values, template_kind kind) {
  std::string out;
  for (auto const& s : t.segments) {
    if (!s.is_variable) {
      out += s.text;
      continue;
    }
    if (auto it = values.find(s.text); it != values.end()) append_value(out, s.text, it->second, kind);
  }
  return out;
}

}  // namespace posta::directory::proto
