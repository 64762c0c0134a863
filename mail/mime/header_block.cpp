// Header section walking and unfolding (RFC 5322 2.2, 2.2.3).
#include "mail/mime/header_block.hpp"

#include <algorithm>

namespace posta::mail::mime {

namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

bool is_field_name(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 32 && u < 127 && c != ':';
  });
}

std::string_view trim_right_wsp(std::string_view s) {
  while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

header_scanner::header_scanner(std::string_view raw, std::size_t begin, std::size_t end)
    : raw_(raw), pos_(std::min(begin, raw.size())), end_(std::min(end, raw.size())) {
  pos_ = std::min(pos_, end_);
}

std::size_t header_scanner::line_end(std::size_t from) const {
  auto i = raw_.find('\n', from);
  return (i == std::string_view::npos || i >= end_) ? end_ : i;
}

std::size_t header_scanner::content_end(std::size_t from, std::size_t eol) const {
  return (eol > from && raw_[eol - 1] == '\r') ? eol - 1 : eol;
}

std::size_t header_scanner::skip_continuations(std::size_t next_line, std::size_t& value_end) {
  while (next_line < end_ && is_wsp(raw_[next_line])) {
    auto eol = line_end(next_line);
    value_end = content_end(next_line, eol);
    ++lines_;
    next_line = eol < end_ ? eol + 1 : end_;
  }
  return next_line;
}

std::optional<header_field> header_scanner::next() {
  while (!done_ && pos_ < end_) {
    auto eol = line_end(pos_);
    auto next_line = eol < end_ ? eol + 1 : end_;
    auto cend = content_end(pos_, eol);
    ++lines_;
    if (cend == pos_) {  // the empty line that ends the header
      pos_ = next_line;
      done_ = true;
      return std::nullopt;
    }
    auto start = pos_;
    auto value_end = cend;
    pos_ = skip_continuations(next_line, value_end);
    auto line = raw_.substr(start, cend - start);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // not a field: ignored
    auto name = trim_right_wsp(line.substr(0, colon));
    if (!is_field_name(name)) continue;
    auto value_begin = start + colon + 1;
    return header_field{name, raw_.substr(value_begin, value_end - value_begin)};
  }
  done_ = true;
  return std::nullopt;
}

std::string unfold(std::string_view raw_value) {
  std::string out;
  out.reserve(raw_value.size());
  for (char c : raw_value)
    if (c != '\r' && c != '\n') out.push_back(c);
  auto first = out.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  auto last = out.find_last_not_of(" \t");
  return out.substr(first, last - first + 1);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace posta::mail::mime
