// Lexical rules of RFC 3501 9 / RFC 9051 9: atoms, numbers, strings,
// literals, mailbox names (RFC 3501 5.1, 5.1.3; RFC 6855 3) and flags.
#include "mail/imap/proto/cursor.hpp"

#include "mail/imap/proto/mutf7.hpp"
#include "mail/imap/proto/collation.hpp"
#include "mail/imap/proto/utf8.hpp"

#include <algorithm>
#include <charconv>

namespace posta::mail::imap::proto {

namespace {

constexpr std::string_view atom_specials = "(){ %*\"\\]";

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_list_char(char c) {
  return is_atom_char(c) || c == '%' || c == '*' || c == ']';
}

bool is_astring_char(char c) {
  return is_atom_char(c) || c == ']';
}

bool is_tag_char(char c) {
  return is_astring_char(c) && c != '+';
}

// System flags (RFC 3501 2.3.2) in their canonical spelling.
constexpr std::string_view system_flags[] = {"\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft", "\\Recent"};

}  // namespace

bool is_atom_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7f && atom_specials.find(c) == std::string_view::npos;
}

bool cursor::eat(char c) {
  if (peek() != c || at_end()) return false;
  ++pos_;
  return true;
}

bool cursor::eat_prefix(std::string_view w) {
  if (text_.size() - pos_ < w.size() || !casemap_equals(text_.substr(pos_, w.size()), w)) return false;
  pos_ += w.size();
  return true;
}

bool cursor::eat_word(std::string_view w) {
  std::size_t start = pos_;
  if (!eat_prefix(w)) return false;
  if (!at_end() && is_atom_char(peek())) {
    pos_ = start;
    return false;
  }
  return true;
}

bool cursor::sp() {
  return eat(' ') || fail("SP");
}

bool cursor::expect(char c) {
  return eat(c) || fail(std::string("\"") + c + "\"");
}

std::optional<std::string_view> cursor::atom() {
  auto s = take_while(is_atom_char);
  if (s.empty()) return fail("atom"), std::nullopt;
  return s;
}

std::optional<std::string_view> cursor::tag() {
  auto s = take_while(is_tag_char);
  if (s.empty()) return fail("tag"), std::nullopt;
  return s;
}

std::optional<std::uint64_t> cursor::number64() {
  std::size_t start = pos_;
  while (!at_end() && is_digit(text_[pos_])) ++pos_;
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text_.data() + start, text_.data() + pos_, v);
  if (pos_ == start || ec != std::errc{} || v > static_cast<std::uint64_t>(INT64_MAX)) {
    pos_ = start;
    return fail("number"), std::nullopt;
  }
  return v;
}

std::optional<std::uint32_t> cursor::number() {
  std::size_t start = pos_;
  auto v = number64();
  if (v && *v > UINT32_MAX) {
    pos_ = start;
    return fail("32-bit number"), std::nullopt;
  }
  return v ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(*v)) : std::nullopt;
}

std::optional<std::uint32_t> cursor::nz_number() {
  std::size_t start = pos_;
  auto v = number();
  if (v && *v == 0) {
    pos_ = start;
    return fail("non-zero number"), std::nullopt;
  }
  return v;
}

// quoted = DQUOTE *QUOTED-CHAR DQUOTE; RFC 9051 also allows UTF-8 in it.
std::optional<std::string> cursor::quoted() {
  std::size_t start = pos_;
  if (!eat('"')) return fail("quoted string"), std::nullopt;
  std::string out;
  bool ok = true;
  while (ok && !at_end() && peek() != '"') {
    char c = text_[pos_++];
    if (c == '\\') {
      ok = peek() == '"' || peek() == '\\';  // only quoted-specials may be escaped
      c = peek();
      ++pos_;
    } else {
      ok = c != '\r' && c != '\n' && c != '\0';
    }
    out.push_back(c);
  }
  if (!ok || !eat('"') || !is_valid_utf8(out)) {
    pos_ = start;
    return fail("quoted string"), std::nullopt;
  }
  return out;
}

// literal = "{" number64 ["+"] "}" CRLF *CHAR8; literal8 = "~{" ... (RFC 3516).
std::optional<std::string> cursor::literal(bool allow_literal8, bool* was_literal8) {
  return literal(allow_literal8, was_literal8, nullptr);
}

std::optional<std::string> cursor::literal(bool allow_literal8, bool* was_literal8,
                                           std::optional<std::size_t>* streamed) {
  std::size_t start = pos_;
  bool binary = allow_literal8 && eat('~');
  if (!eat('{')) return pos_ = start, fail("literal"), std::nullopt;
  auto n = number64();
  eat('+');
  if (!n || !eat('}') || !eat('\r') || !eat('\n')) return pos_ = start, fail("literal"), std::nullopt;
  auto it = std::find(streamed_.begin(), streamed_.end(), pos_);
  if (it != streamed_.end()) {
    // Only a message may be streamed (the session streams APPEND literals).
    if (!streamed) return pos_ = start, fail("a shorter literal"), std::nullopt;
    *streamed = static_cast<std::size_t>(it - streamed_.begin());
    if (was_literal8) *was_literal8 = binary;
    return std::string();
  }
  if (*n > text_.size() - pos_) return pos_ = start, fail("literal"), std::nullopt;
  std::string_view bytes = text_.substr(pos_, *n);
  // CHAR8 excludes NUL; only literal8 may carry it.
  if (!binary && bytes.find('\0') != std::string_view::npos) {
    pos_ = start;
    return fail("literal without NUL (use literal8)"), std::nullopt;
  }
  pos_ += *n;
  if (was_literal8) *was_literal8 = binary;
  if (streamed) streamed->reset();
  return std::string(bytes);
}

std::optional<std::string> cursor::string() {
  if (peek() == '"') return quoted();
  if (peek() == '{') return literal(false);
  return fail("string"), std::nullopt;
}

std::optional<std::string> cursor::astring() {
  if (peek() == '"' || peek() == '{') return string();
  auto s = take_while(is_astring_char);
  if (s.empty()) return fail("astring"), std::nullopt;
  return std::string(s);
}

std::optional<std::optional<std::string>> cursor::nstring() {
  if (eat_word("NIL")) return std::optional<std::string>{};
  auto s = string();
  if (!s) return fail("nstring"), std::nullopt;
  return std::optional<std::string>(std::move(*s));
}

std::optional<std::string> cursor::decode_mailbox(std::string name) {
  if (options_.utf8_accept) {
    if (!is_valid_utf8(name)) return fail("mailbox name in UTF-8"), std::nullopt;
  } else {
    auto decoded = mutf7_decode(name);
    if (!decoded) return fail("mailbox name in modified UTF-7"), std::nullopt;
    name = std::move(*decoded);
  }
  if (casemap_equals(name, "INBOX")) name = "INBOX";
  return name;
}

std::optional<std::string> cursor::mailbox() {
  auto s = astring();
  if (!s) return fail("mailbox name"), std::nullopt;
  return decode_mailbox(std::move(*s));
}

std::optional<std::string> cursor::list_mailbox() {
  if (peek() == '"' || peek() == '{') {
    auto s = string();
    return s ? decode_mailbox(std::move(*s)) : std::nullopt;
  }
  auto s = take_while(is_list_char);
  if (s.empty()) return fail("mailbox pattern"), std::nullopt;
  return decode_mailbox(std::string(s));
}

// flag = "\Answered" / ... / flag-keyword / flag-extension ("\" atom).
std::optional<std::string> cursor::flag() {
  bool system = eat('\\');
  auto a = atom();
  if (!a) return fail("flag"), std::nullopt;
  if (!system) return std::string(*a);
  for (auto f : system_flags)
    if (casemap_equals(f.substr(1), *a)) return std::string(f);
  return "\\" + std::string(*a);
}

std::string_view cursor::take_while(bool (*pred)(char)) {
  std::size_t start = pos_;
  while (!at_end() && pred(text_[pos_])) ++pos_;
  return text_.substr(start, pos_ - start);
}

std::optional<std::string_view> cursor::sequence_text() {
  auto s = take_while([](char c) { return is_digit(c) || c == ':' || c == ',' || c == '*' || c == '$'; });
  if (s.empty()) return fail("sequence set"), std::nullopt;
  return s;
}

bool cursor::fail(std::string_view what) {
  if (expected_.empty()) {
    expected_ = what;
    fail_pos_ = pos_;
  }
  return false;
}

std::string cursor::error_text() const {
  std::string near;
  for (std::size_t i = fail_pos_; i < text_.size() && near.size() < 20; ++i) {
    auto c = static_cast<unsigned char>(text_[i]);
    near.push_back(c >= 0x20 && c < 0x7f && c != '"' ? static_cast<char>(c) : '?');
  }
  std::string out = "expected " + expected_;
  out += near.empty() ? std::string(" at end of command") : " at \"" + near + "\"";
  return out;
}

}  // namespace posta::mail::imap::proto
