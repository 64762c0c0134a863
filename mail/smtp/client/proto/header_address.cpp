// Address fields (RFC 5322 3.4: mailbox, name-addr, group) with raw UTF-8:
// display names and comments become RFC 2047 encoded-words (5(2), 5(3)); a
// UTF-8 addr-spec cannot be encoded, and refuses the message (RFC 6531 3.2).
#include "mail/smtp/client/proto/header_encoding.hpp"

#include <algorithm>
#include <vector>

namespace posta::mail::smtp::client::proto {

smtp::proto::reply_or<std::string> encode_address_field(std::string_view name, std::string_view value);

namespace {

enum class piece_kind { plain, quoted, comment, angle, delimiter };

struct piece {
  piece_kind kind;
  std::string_view text;  // with its quotes, parentheses or angle brackets
};

// Up to the `close` that ends a quoted string or angle address, escapes
// honoured; the end of the value ends an unterminated one.
std::size_t skip_quoted(std::string_view v, std::size_t i) {
  for (++i; i < v.size(); ++i) {
    if (v[i] == '\\') ++i;
    else if (v[i] == '"') return i + 1;
  }
  return v.size();
}

std::size_t skip_comment(std::string_view v, std::size_t i) {
  int depth = 0;
  for (; i < v.size(); ++i) {
    if (v[i] == '\\') ++i;
    else if (v[i] == '(') ++depth;
    else if (v[i] == ')' && --depth == 0) return i + 1;
  }
  return v.size();
}

std::size_t skip_angle(std::string_view v, std::size_t i) {
  for (++i; i < v.size(); ++i) {
    if (v[i] == '"') i = skip_quoted(v, i) - 1;
    else if (v[i] == '>') return i + 1;
  }
  return v.size();
}

bool is_special(char c) { return c == '"' || c == '(' || c == '<' || c == ',' || c == ';' || c == ':'; }

std::vector<piece> tokenize(std::string_view v) {
  std::vector<piece> out;
  for (std::size_t i = 0; i < v.size();) {
    std::size_t end = i + 1;
    piece_kind kind = piece_kind::plain;
    switch (v[i]) {
      case '"': kind = piece_kind::quoted, end = skip_quoted(v, i); break;
      case '(': kind = piece_kind::comment, end = skip_comment(v, i); break;
      case '<': kind = piece_kind::angle, end = skip_angle(v, i); break;
      case ',': case ';': case ':': kind = piece_kind::delimiter; break;
      default:
        while (end < v.size() && !is_special(v[end])) ++end;
    }
    out.push_back({kind, v.substr(i, end - i)});
    i = end;
  }
  return out;
}

std::string_view inner(piece const& p) {
  auto t = p.text.substr(1);
  char close = p.kind == piece_kind::quoted ? '"' : p.kind == piece_kind::comment ? ')' : '>';
  if (t.ends_with(close)) t.remove_suffix(1);
  return t;
}

std::string unquote(std::string_view quoted_inner) {
  std::string out;
  for (std::size_t i = 0; i < quoted_inner.size(); ++i) {
    if (quoted_inner[i] == '\\' && i + 1 < quoted_inner.size()) ++i;
    out.push_back(quoted_inner[i]);
  }
  return out;
}

std::string encode_comment(piece const& p) {
  if (!has_non_ascii(p.text)) return std::string(p.text);
  return "(" + encode_words(inner(p)) + ")";
}

bool is_word(piece const& p) { return p.kind == piece_kind::plain || p.kind == piece_kind::quoted; }

std::string keep_encoding_comments(std::vector<piece> const& pieces) {
  std::string out;
  for (auto const& p : pieces) out += p.kind == piece_kind::comment ? encode_comment(p) : std::string(p.text);
  return out;
}

// A display name with UTF-8 words: the words (quoted strings unquoted) as
// one encoded run, the whitespace around it kept, its comments after it.
std::string encode_phrase(std::vector<piece> const& pieces) {
  bool needed = std::any_of(pieces.begin(), pieces.end(), [](auto const& p) { return is_word(p) && has_non_ascii(p.text); });
  if (!needed) return keep_encoding_comments(pieces);
  std::string text, comments;
  for (auto const& p : pieces) {
    if (p.kind == piece_kind::comment) comments += " " + encode_comment(p);
    else text += p.kind == piece_kind::quoted ? unquote(inner(p)) : std::string(p.text);
  }
  auto first = text.find_first_not_of(" \t");
  auto last = text.find_last_not_of(" \t") + 1;
  return text.substr(0, first) + encode_words(text.substr(first, last - first)) + comments + text.substr(last);
}

smtp::proto::reply refusal(std::string_view field) {
  return smtp::proto::make_reply(553, "5.6.7",
                                 "UTF-8 address in the " + std::string(field) + " header field needs SMTPUTF8");
}

// One mailbox or group name, without its delimiter.
smtp::proto::reply_or<std::string> encode_element(std::string_view field, std::vector<piece> const& pieces,
                                                  bool is_group_name) {
  std::size_t angle = 0;
  while (angle < pieces.size() && pieces[angle].kind != piece_kind::angle) ++angle;
  if (angle == pieces.size() && is_group_name) return encode_phrase(pieces);
  if (angle == pieces.size()) {  // a bare addr-spec, perhaps with comments
    for (auto const& p : pieces)
      if (is_word(p) && has_non_ascii(p.text)) return refusal(field);
    return keep_encoding_comments(pieces);
  }
  if (has_non_ascii(pieces[angle].text)) return refusal(field);
  std::string out = encode_phrase({pieces.begin(), pieces.begin() + static_cast<std::ptrdiff_t>(angle)});
  out += pieces[angle].text;
  return out + keep_encoding_comments({pieces.begin() + static_cast<std::ptrdiff_t>(angle) + 1, pieces.end()});
}

}  // namespace

smtp::proto::reply_or<std::string> encode_address_field(std::string_view name, std::string_view value) {
  std::string out;
  std::vector<piece> element;
  auto pieces = tokenize(value);
  for (std::size_t i = 0; i <= pieces.size(); ++i) {
    bool at_end = i == pieces.size();
    if (!at_end && pieces[i].kind != piece_kind::delimiter) {
      element.push_back(pieces[i]);
      continue;
    }
    bool group_name = !at_end && pieces[i].text == ":";
    auto encoded = encode_element(name, element, group_name);
    if (!encoded) return encoded.error();
    out += *encoded;
    if (!at_end) out += pieces[i].text;
    element.clear();
  }
  return out;
}

}  // namespace posta::mail::smtp::client::proto
