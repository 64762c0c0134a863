// RFC 5322 3.4 / 4.4 address list parsing into IMAP ENVELOPE addresses
// (RFC 3501 7.4.2: group start = (NIL NIL name NIL), group end = all NIL).
#include "mail/mime/address_list.hpp"

#include <optional>
#include <string>
#include <vector>

namespace posta::mail::mime {

namespace {

// SECURITY: longest display name, local part or domain kept from a value.
constexpr std::size_t max_kept_octets = 1024;
// SECURITY: words of a display name kept.
constexpr std::size_t max_phrase_words = 64;

enum class token_kind { atom, quoted, domain_literal, comment, special };

struct token {
  token_kind kind;
  std::string_view raw;  // as written (quoted strings with their quotes)
  std::string text;      // quoted/comment: content without quotes and escapes
};

bool is_special(char c) {
  return c == '<' || c == '>' || c == '@' || c == ',' || c == ';' || c == ':';
}

bool ends_atom(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '(' || c == '"' ||
         c == '[' || is_special(c);
}

// Scans a delimited run ("...", (...), [...]) from s[i] (the opener); returns
// the index after the closer or s.size(). Comments nest; '\' escapes.
std::size_t scan_delimited(std::string_view s, std::size_t i, std::string& text) {
  char open = s[i], close = open == '(' ? ')' : open == '[' ? ']' : '"';
  int depth = 1;
  for (++i; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\' && open != '[' && i + 1 < s.size()) {
      if (text.size() < max_kept_octets) text.push_back(s[i + 1]);
      ++i;
      continue;
    }
    if (open == '(' && c == '(') ++depth;
    if (c == close && --depth == 0) return i + 1;
    if (text.size() < max_kept_octets) text.push_back(c);
  }
  return i;
}

// Tokens on demand, one at a time: nothing is read ahead, so the parser's
// caps bound the work and the memory, not the length of the value.
// SECURITY: token texts are kept to max_kept_octets (the rest is skipped).
class tokenizer {
 public:
  explicit tokenizer(std::string_view s) : s_(s) {}

  std::optional<token> next() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r' || s_[i_] == '\n')) ++i_;
    if (i_ >= s_.size()) return std::nullopt;
    char c = s_[i_];
    std::size_t start = i_;
    token t{token_kind::special, {}, {}};
    if (c == '(' || c == '"' || c == '[') {
      i_ = scan_delimited(s_, i_, t.text);
      t.kind = c == '(' ? token_kind::comment : c == '"' ? token_kind::quoted : token_kind::domain_literal;
    } else if (is_special(c)) {
      ++i_;
    } else {
      while (i_ < s_.size() && !ends_atom(s_[i_])) ++i_;
      t.kind = token_kind::atom;
    }
    t.raw = s_.substr(start, i_ - start);
    return t;
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

// SECURITY: appends up to the cap, so a hostile run of tokens cannot grow one
// name, local part or domain past it.
void append_capped(std::string& out, std::string_view piece) {
  if (out.size() < max_kept_octets) out.append(piece.substr(0, max_kept_octets - out.size()));
}

std::string join_words(std::vector<std::string> const& words) {
  std::string out;
  for (auto const& w : words) {
    if (!out.empty()) out.push_back(' ');
    out += w;
  }
  return out;
}

class address_parser {
 public:
  address_parser(std::string_view value, std::size_t max) : tokens_(value), max_(max) {}

  address_list run() {
    while (!full() && peek()) {
      if (is(',')) {
        next_address();
        continue;
      }
      parse_address(false);
      skip_to_separator(false);
    }
    return std::move(out_);
  }

 private:
  bool full() const { return out_.size() >= max_; }

  // The next token that is not a comment; comments seen on the way are
  // remembered as a fallback display name.
  token const* peek() {
    for (;;) {
      if (!current_) current_ = tokens_.next();
      if (!current_ || current_->kind != token_kind::comment) break;
      if (!current_->text.empty()) comment_ = std::move(current_->text);
      current_.reset();
    }
    return current_ ? &*current_ : nullptr;
  }
  void advance() {
    peek();
    current_.reset();
  }
  // Past a comma: comments from here on belong to the next address.
  void next_address() {
    advance();
    comment_.reset();
  }
  bool is(char c) {
    auto const* t = peek();
    return t && t->kind == token_kind::special && t->raw[0] == c;
  }
  bool at_end_or(char a, char b) { return !peek() || is(a) || is(b); }

  void skip_to_separator(bool in_group) {
    while (peek() && !is(',') && !(in_group && is(';'))) advance();
  }

  // Raw concatenation of tokens until one of the stop specials.
  std::string collect_raw(std::string_view stops) {
    std::string out;
    while (auto const* t = peek()) {
      if (t->kind == token_kind::special && stops.find(t->raw[0]) != std::string_view::npos) break;
      append_capped(out, t->raw);
      advance();
    }
    return out;
  }

  void emit(std::optional<std::string> name, std::optional<std::string> adl, std::string mailbox,
            std::string host) {
    if (mailbox.empty()) mailbox = missing_mailbox;
    if (host.empty()) host = missing_domain;
    out_.push_back(address{std::move(name), std::move(adl), std::move(mailbox), std::move(host)});
  }

  void parse_address(bool in_group);
  void parse_group(std::string name);
  void parse_angle(std::vector<std::string> const& phrase);

  tokenizer tokens_;
  std::optional<token> current_;  // looked at, not yet used
  std::size_t max_;
  std::optional<std::string> comment_;
  address_list out_;
};

void address_parser::parse_address(bool in_group) {
  std::vector<std::string> phrase;
  std::string local;
  while (auto const* t = peek()) {
    if (t->kind == token_kind::special) break;
    if (phrase.size() < max_phrase_words) phrase.push_back(t->kind == token_kind::quoted ? t->text : std::string(t->raw));
    append_capped(local, t->raw);
    advance();
  }
  if (at_end_or(',', ';')) {
    // A bare word list without '@' ("root", "John Doe"): best effort.
    if (!phrase.empty()) emit(comment_, std::nullopt, local, {});
    return;
  }
  char c = peek()->raw[0];
  advance();
  if (c == ':' && !in_group) return parse_group(join_words(phrase));
  if (c == '<') return parse_angle(phrase);
  if (c == '@') {
    std::string host = collect_raw(",;<>");
    skip_to_separator(in_group);  // trailing comments become the name
    return emit(comment_, std::nullopt, local, host);
  }
  // '>', ';' outside a group, ':' inside one: garbage up to the next comma.
}

void address_parser::parse_group(std::string name) {
  out_.push_back(address{std::nullopt, std::nullopt, std::move(name), std::nullopt});
  while (!full() && peek()) {
    if (is(';')) {
      advance();
      break;
    }
    if (is(',')) {
      next_address();
      continue;
    }
    parse_address(true);
    skip_to_separator(true);
  }
  out_.push_back(address{});  // the end marker is kept even past the limit
}

void address_parser::parse_angle(std::vector<std::string> const& phrase) {
  std::optional<std::string> adl;
  if (is('@')) {  // obs-route "@a,@b:"
    adl = collect_raw(":>");
    if (is(':')) advance();
  }
  std::string local = collect_raw("@>,;<");
  std::string host;
  if (is('@')) {
    advance();
    host = collect_raw(">,;<");
  }
  if (is('>')) advance();
  auto name = phrase.empty() ? std::nullopt : std::optional<std::string>(join_words(phrase));
  if (name && name->empty()) name.reset();
  emit(std::move(name), std::move(adl), std::move(local), std::move(host));
}

}  // namespace

address_list parse_address_list(std::string_view value, std::size_t max_addresses) {
  return address_parser(value, max_addresses).run();
}

}  // namespace posta::mail::mime
