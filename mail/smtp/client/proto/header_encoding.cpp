// RFC 2047 encoded-words for raw UTF-8 header fields. RFC 2047 2 (75-octet
// words, 76-octet lines), 4.2 (Q encoding), 5 (where words may appear);
// RFC 5322 2.2.3 (folding), 3.4 (address syntax); RFC 6531 3.2.
#include "mail/smtp/client/proto/header_encoding.hpp"

#include "mail/smtp/proto/grammar.hpp"

#include <algorithm>
#include <array>

namespace posta::mail::smtp::client::proto {
namespace {

namespace grammar = smtp::proto::grammar;

constexpr std::string_view word_prefix = "=?UTF-8?Q?";
constexpr std::string_view word_suffix = "?=";
constexpr std::size_t max_word = 75;  // RFC 2047 2
constexpr std::size_t max_payload = max_word - word_prefix.size() - word_suffix.size();
constexpr std::size_t fold_at = 76;   // RFC 2047 2: lines holding encoded-words

bool is_wsp(char c) noexcept { return c == ' ' || c == '\t'; }

// RFC 2047 5(3): the characters a Q word may carry literally in a phrase;
// the strictest rule, used everywhere so one encoder serves all places.
bool is_q_literal(char c) noexcept {
  return grammar::is_let_dig(c) || c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
}

std::string q_encode_char(std::string_view bytes) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : bytes) {
    auto u = static_cast<unsigned char>(c);
    if (is_q_literal(c)) out.push_back(c);
    else if (c == ' ') out.push_back('_');
    else out += {'=', hex[u >> 4], hex[u & 0x0f]};
  }
  return out;
}

// ---- fields --------------------------------------------------------------

enum class field_class { unstructured, address, other };

field_class classify(std::string_view name) {
  static constexpr std::array<std::string_view, 5> unstructured = {"subject", "comments", "content-description",
                                                                   "organization", "thread-topic"};
  static constexpr std::array<std::string_view, 15> address = {
      "from", "sender", "reply-to", "to", "cc", "bcc", "resent-from", "resent-sender", "resent-to", "resent-cc",
      "resent-bcc", "disposition-notification-to", "mail-followup-to", "mail-reply-to", "return-receipt-to"};
  auto is_in = [&](auto const& list) {
    return std::any_of(list.begin(), list.end(), [&](std::string_view n) { return grammar::iequals(n, name); });
  };
  if (is_in(unstructured) || grammar::istarts_with(name, "x-")) return field_class::unstructured;
  if (is_in(address)) return field_class::address;
  return field_class::other;
}

std::string unfold(std::string_view value) {
  std::string out;
  for (char c : value)
    if (c != '\r' && c != '\n') out.push_back(c);
  return out;
}

// ---- unstructured text: RFC 2047 5(1) ------------------------------------

bool needs_encoding(std::string_view word) {
  bool looks_encoded = word.starts_with("=?") && word.ends_with("?=");  // must not be decoded later
  return has_non_ascii(word) || looks_encoded;
}

// The whitespace run at `from` and the word after it: [from, word) and [word, end).
struct span {
  std::size_t word, end;
};
span word_at(std::string_view value, std::size_t from) {
  std::size_t word = from;
  while (word < value.size() && is_wsp(value[word])) ++word;
  std::size_t end = word;
  while (end < value.size() && !is_wsp(value[end])) ++end;
  return {word, end};
}

bool word_needs_encoding(std::string_view value, span s) {
  return s.end > s.word && needs_encoding(value.substr(s.word, s.end - s.word));
}

// Runs of words that need encoding become encoded-words, the whitespace
// inside a run included (else a reader would drop it between two words).
std::string encode_unstructured(std::string_view value) {
  std::string out;
  for (std::size_t i = 0; i < value.size();) {
    auto first = word_at(value, i);
    if (!word_needs_encoding(value, first)) {
      out.append(value.substr(i, first.end - i));
      i = first.end;
      continue;
    }
    std::size_t run_end = first.end;
    for (auto next = word_at(value, run_end); word_needs_encoding(value, next); next = word_at(value, run_end))
      run_end = next.end;
    out.append(value.substr(i, first.word - i));
    out += encode_words(value.substr(first.word, run_end - first.word));
    i = run_end;
  }
  return out;
}

// "Name:" + value folded before whitespace so that lines stay within 76
// octets where the words allow it (RFC 5322 2.2.3: CRLF goes before WSP).
std::string fold(std::string_view name, std::string_view value) {
  std::string out(name);
  out.push_back(':');
  std::size_t line = out.size();
  for (std::size_t i = 0; i < value.size();) {
    auto s = word_at(value, i);
    // Even right after the colon: "Subject:" CRLF SP word is valid (RFC
    // 5322 3.2.2 FWS), and a 75-octet word fits no other way.
    bool can_fold = s.word > i;
    if (can_fold && line + (s.end - i) > fold_at) {
      out += "\r\n";
      line = 0;
    }
    out.append(value.substr(i, s.end - i));
    line += s.end - i;
    i = s.end;
  }
  return out + "\r\n";
}

}  // namespace

bool has_non_ascii(std::string_view s) noexcept {
  return std::any_of(s.begin(), s.end(), [](char c) { return grammar::is_non_ascii(c); });
}

std::string encode_words(std::string_view utf8) {
  std::string out;
  std::string payload;
  auto close = [&] {
    if (payload.empty()) return;
    if (!out.empty()) out.push_back(' ');
    out.append(word_prefix).append(payload).append(word_suffix);
    payload.clear();
  };
  for (std::size_t i = 0; i < utf8.size();) {
    std::size_t n = grammar::is_non_ascii(utf8[i]) ? grammar::utf8_sequence_length(utf8, i) : 1;
    if (n == 0) n = 1;  // a stray byte: sent as it is, as one "character"
    auto piece = q_encode_char(utf8.substr(i, n));
    if (payload.size() + piece.size() > max_payload) close();
    payload += piece;
    i += n;
  }
  close();
  return out;
}

// Defined in header_address.cpp: the address-field rewrite.
smtp::proto::reply_or<std::string> encode_address_field(std::string_view name, std::string_view value);

namespace {

struct raw_field {
  std::string_view text;   // the whole field, name to last line end
  std::string_view name;   // empty for a line that is no field
  std::string_view value;  // after the colon
};

// The field starting at `pos` and its continuation lines.
raw_field next_field(std::string_view header, std::size_t pos) {
  std::size_t end = pos;
  do {
    auto lf = header.find('\n', end);
    end = lf == std::string_view::npos ? header.size() : lf + 1;
  } while (end < header.size() && is_wsp(header[end]));
  raw_field f{header.substr(pos, end - pos), {}, {}};
  auto colon = f.text.find(':');
  auto first_line_end = f.text.find('\n');
  if (colon != std::string_view::npos && colon < first_line_end && colon > 0) {
    f.name = f.text.substr(0, colon);
    f.value = f.text.substr(colon + 1);
    while (f.value.ends_with('\n') || f.value.ends_with('\r')) f.value.remove_suffix(1);
  }
  return f;
}

bool is_blank_line(std::string_view header, std::size_t pos) {
  return header.substr(pos).starts_with("\r\n") || header.substr(pos).starts_with("\n");
}

}  // namespace

smtp::proto::reply_or<encoded_header> encode_utf8_headers(std::string_view header) {
  encoded_header out;
  std::size_t pos = 0;
  while (pos < header.size() && !is_blank_line(header, pos)) {
    auto f = next_field(header, pos);
    pos += f.text.size();
    auto kind = f.name.empty() ? field_class::other : classify(f.name);
    if (!has_non_ascii(f.text) || kind == field_class::other) {
      if (has_non_ascii(f.text)) out.left_8bit.emplace_back(f.name);
      out.header.append(f.text);
      continue;
    }
    std::string value = unfold(f.value);
    if (kind == field_class::unstructured) {
      value = encode_unstructured(value);
    } else {
      auto rewritten = encode_address_field(f.name, value);
      if (!rewritten) return rewritten.error();
      value = std::move(*rewritten);
    }
    out.header += fold(f.name, value);
    out.changed = true;
  }
  out.header.append(header.substr(pos));
  return out;
}

std::size_t header_section_end(std::string_view bytes) noexcept {
  if (bytes.starts_with("\r\n")) return 2;
  auto at = bytes.find("\r\n\r\n");
  return at == std::string_view::npos ? std::string_view::npos : at + 4;
}

}  // namespace posta::mail::smtp::client::proto
