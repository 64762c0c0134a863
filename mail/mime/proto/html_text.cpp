// HTML to plain text for searching: a single forward scan, no DOM.
#include "mail/mime/proto/html_text.hpp"

#include "mail/mime/proto/utf8_codec.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace posta::mail::mime {

namespace {

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}
bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Elements that end a line of text where they open or close.
bool is_block(std::string_view name) {
  static constexpr std::array<std::string_view, 22> blocks = {
      "br", "p",  "div", "li", "tr", "td",         "th",  "table", "ul", "ol", "h1",
      "h2", "h3", "h4",  "h5", "h6", "blockquote", "pre", "hr",    "dt", "dd", "title"};
  return std::find(blocks.begin(), blocks.end(), name) != blocks.end();
}

// The named references mail really uses; others stay as written.
char32_t named_reference(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, char32_t>, 24> names = {{
      {"amp", U'&'},      {"lt", U'<'},        {"gt", U'>'},       {"quot", U'"'},    {"apos", U'\''},
      {"nbsp", U' '},     {"copy", U'\u00A9'}, {"reg", U'\u00AE'}, {"shy", 0xAD},     {"deg", U'\u00B0'},
      {"laquo", 0xAB},    {"raquo", 0xBB},     {"middot", 0xB7},   {"times", 0xD7},   {"euro", 0x20AC},
      {"hellip", 0x2026}, {"mdash", 0x2014},   {"ndash", 0x2013},  {"lsquo", 0x2018}, {"rsquo", 0x2019},
      {"ldquo", 0x201C},  {"rdquo", 0x201D},   {"bull", 0x2022},   {"trade", 0x2122},
  }};
  for (auto const& [n, cp] : names)
    if (n == name) return cp;
  return 0;
}

// "#123" or "#x7B"; 0 when malformed, U+FFFD for a value that is no scalar.
char32_t numeric_reference(std::string_view ref) {
  bool hex = ref.size() > 1 && lower(ref[1]) == 'x';
  auto digits = ref.substr(hex ? 2 : 1);
  if (digits.empty()) return 0;
  std::uint32_t v = 0;
  for (char c : digits) {
    int d = c >= '0' && c <= '9' ? c - '0' : hex && lower(c) >= 'a' && lower(c) <= 'f' ? lower(c) - 'a' + 10 : -1;
    if (d < 0) return 0;
    v = std::min<std::uint32_t>(v * (hex ? 16 : 10) + static_cast<std::uint32_t>(d), 0x110000);
  }
  if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0xFFFD;
  return v;
}

class reducer {
 public:
  explicit reducer(std::string_view html) : in_(html) {}

  std::string run() {
    while (i_ < in_.size()) {
      char c = in_[i_];
      if (c == '<')
        tag();
      else if (c == '&')
        reference();
      else if (is_space(c))
        space(), ++i_;
      else
        out_ += c, ++i_;
    }
    while (!out_.empty() && (out_.back() == ' ' || out_.back() == '\n')) out_.pop_back();
    return std::move(out_);
  }

 private:
  void space() {
    if (!out_.empty() && out_.back() != ' ' && out_.back() != '\n') out_ += ' ';
  }
  void line_break() {
    while (!out_.empty() && out_.back() == ' ') out_.pop_back();
    if (!out_.empty() && out_.back() != '\n') out_ += '\n';
  }
  // Moves past `terminator` (or to the end when there is none).
  void skip_past(std::string_view terminator) {
    auto end = in_.find(terminator, i_);
    i_ = end == std::string_view::npos ? in_.size() : end + terminator.size();
  }

  void tag() {
    if (in_.substr(i_, 4) == "<!--") return skip_past("-->");
    std::size_t j = i_ + 1;
    bool closing = j < in_.size() && in_[j] == '/';
    if (closing) ++j;
    std::string name;
    while (j < in_.size() && is_name_char(in_[j]) && name.size() < 16) name += lower(in_[j++]);
    if (name.empty() && !closing && (j >= in_.size() || in_[j] != '!')) {  // "a < b" is text
      out_ += '<';
      ++i_;
      return;
    }
    skip_past(">");
    if (!closing && (name == "script" || name == "style")) skip_element_content(name);
    if (is_block(name)) line_break();
  }

  // Up to and past "</name ... >", case-insensitively.
  void skip_element_content(std::string const& name) {
    for (auto at = in_.find("</", i_); at != std::string_view::npos; at = in_.find("</", at + 2)) {
      auto candidate = in_.substr(at + 2, name.size());
      if (candidate.size() == name.size() &&
          std::equal(candidate.begin(), candidate.end(), name.begin(), [](char a, char b) { return lower(a) == b; })) {
        i_ = at;
        return skip_past(">");
      }
    }
    i_ = in_.size();
  }

  void reference() {
    auto semi = in_.substr(i_, 34).find(';');  // bounded, so "&&&&..." stays linear
    if (semi != std::string_view::npos) {
      semi += i_;
      auto ref = in_.substr(i_ + 1, semi - i_ - 1);
      char32_t cp = !ref.empty() && ref[0] == '#' ? numeric_reference(ref) : named_reference(ref);
      if (cp != 0) {
        i_ = semi + 1;
        if (cp == U' ') return space();
        if (cp != 0xAD) append_utf8(cp, out_);
        return;
      }
    }
    out_ += '&';
    ++i_;
  }

  std::string_view in_;
  std::size_t i_ = 0;
  std::string out_;
};

}  // namespace

std::string html_to_text(std::string_view html) {
  return reducer(html).run();
}

}  // namespace posta::mail::mime
