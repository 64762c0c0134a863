// Path and mailbox parsing. RFC 5321 4.1.2, 4.1.3, 4.5.1, 4.5.3.1, appendix C;
// RFC 6531 3.3 (UTF8-non-ascii in atext, qtext and sub-domains).
#include "mail/smtp/proto/address.hpp"

#include "mail/smtp/proto/grammar.hpp"

namespace posta::mail::smtp::proto {
namespace {

namespace g = grammar;

constexpr std::size_t max_label_length = 63;  // RFC 1035 2.3.4
constexpr std::size_t max_ipv6_text = 45;     // longest IPv6 text form with embedded IPv4

enum class failure { syntax, non_ascii, local_too_long, domain_too_long, path_too_long };

// 1*3DIGIT "." … with values up to 255: the IPv4 tail of an IPv6 literal.
bool is_dotted_quad(std::string_view s) {
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (s.empty() || s.front() != '.') return false;
      s.remove_prefix(1);
    }
    std::size_t digits = 0;
    int value = 0;
    while (digits < s.size() && digits < 3 && g::is_digit(s[digits])) value = value * 10 + (s[digits++] - '0');
    if (digits == 0 || value > 255) return false;
    s.remove_prefix(digits);
  }
  return s.empty();
}

// Groups of 1*4HEXDIG separated by ':', the last one possibly a dotted quad
// (worth two groups); nullopt when malformed. "" has no groups.
std::optional<int> ipv6_groups(std::string_view s, bool ipv4_tail_allowed) {
  if (s.empty()) return 0;
  int groups = 0;
  for (;;) {
    auto const colon = s.find(':');
    std::string_view const group = s.substr(0, colon);
    if (colon == std::string_view::npos && ipv4_tail_allowed && group.find('.') != std::string_view::npos)
      return is_dotted_quad(group) ? std::optional<int>(groups + 2) : std::nullopt;
    if (group.empty() || group.size() > 4) return std::nullopt;
    for (char c : group)
      if (!g::is_hex_digit(c)) return std::nullopt;
    ++groups;
    if (colon == std::string_view::npos) return groups;
    s.remove_prefix(colon + 1);
  }
}

// IPv6-addr of RFC 5321 4.1.3 (full, "::"-compressed, with an IPv4 tail):
// eight groups, or fewer around one "::".
bool is_ipv6_text(std::string_view s) {
  auto const gap = s.find("::");
  if (gap == std::string_view::npos) return ipv6_groups(s, true) == 8;
  std::string_view const before = s.substr(0, gap), after = s.substr(gap + 2);
  if (after.find("::") != std::string_view::npos) return false;
  auto const head = ipv6_groups(before, false);
  auto const tail = ipv6_groups(after, true);
  return head && tail && *head + *tail <= 7;
}

// A cursor over one path. Each rule consumes on success; on failure it
// records why in fail_ and the caller turns it into one reply.
class path_parser {
 public:
  path_parser(std::string_view in, path_options opts) : in_(in), opts_(opts) {}

  bool parse_path(path& out);
  bool parse_mailbox(address& out);
  bool parse_domain_or_literal(std::string& out);
  std::size_t position() const noexcept { return pos_; }
  bool at_end() const noexcept { return pos_ == in_.size(); }
  reply failure_reply() const;

 private:
  bool fail(failure f) {
    fail_ = f;
    return false;
  }
  char peek() const noexcept { return pos_ < in_.size() ? in_[pos_] : '\0'; }
  bool eat(char c) {
    if (pos_ >= in_.size() || in_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  bool non_ascii_char(std::string& out);
  bool local_part(address& out);
  bool dot_string(std::string& out);
  bool quoted_string(std::string& out);
  bool domain(std::string& out);
  bool sub_domain(std::string& out);
  bool address_literal(std::string& out);
  bool ipv4_literal(std::string& out);
  bool ipv6_literal(std::string& out);
  bool source_route();
  bool bare_postmaster(path& out);

  std::string_view in_;
  path_options opts_;
  std::size_t pos_ = 0;
  failure fail_ = failure::syntax;
};

// One UTF-8 character, allowed only under SMTPUTF8.
bool path_parser::non_ascii_char(std::string& out) {
  if (!opts_.allow_utf8) return fail(failure::non_ascii);
  std::size_t n = g::utf8_sequence_length(in_, pos_);
  if (n == 0) return fail(failure::syntax);
  out.append(in_.substr(pos_, n));
  pos_ += n;
  return true;
}

bool path_parser::dot_string(std::string& out) {
  bool atom_empty = true;
  while (pos_ < in_.size()) {
    char c = in_[pos_];
    if (g::is_atext(c)) {
      out.push_back(c);
      ++pos_;
    } else if (g::is_non_ascii(c)) {
      if (!non_ascii_char(out)) return false;
    } else if (c == '.' && !atom_empty) {
      out.push_back(c);
      ++pos_;
      atom_empty = true;
      continue;
    } else {
      break;
    }
    atom_empty = false;
  }
  return atom_empty ? fail(failure::syntax) : true;  // empty atom: "", "a.", "a..b", ".a"
}

bool path_parser::quoted_string(std::string& out) {
  if (!eat('"')) return fail(failure::syntax);
  while (pos_ < in_.size()) {
    char c = in_[pos_];
    if (c == '"') {
      ++pos_;
      return true;
    }
    if (c == '\\') {  // quoted-pairSMTP = "\" %d32-126
      if (pos_ + 1 >= in_.size() || in_[pos_ + 1] < 32 || in_[pos_ + 1] > 126)
        return fail(failure::syntax);
      out.push_back(in_[pos_ + 1]);
      pos_ += 2;
    } else if (g::is_qtext(c)) {
      out.push_back(c);
      ++pos_;
    } else if (g::is_non_ascii(c)) {
      if (!non_ascii_char(out)) return false;
    } else {
      return fail(failure::syntax);
    }
  }
  return fail(failure::syntax);  // no closing quote
}

bool path_parser::local_part(address& out) {
  std::size_t start = pos_;
  out.was_quoted = peek() == '"';
  bool ok = out.was_quoted ? quoted_string(out.local_part) : dot_string(out.local_part);
  if (!ok) return false;
  // SECURITY: RFC 5321 4.5.3.1.1, counted as sent.
  if (pos_ - start > max_local_part_length) return fail(failure::local_too_long);
  return true;
}

// sub-domain = Let-dig [Ldh-str]; under SMTPUTF8 a U-label character counts
// as a letter (RFC 6531 3.3). Labels are lower-cased (ASCII only: U-label
// case folding belongs to IDNA, not here).
bool path_parser::sub_domain(std::string& out) {
  std::size_t start = pos_;
  bool last_hyphen = false;
  while (pos_ < in_.size()) {
    char c = in_[pos_];
    if (g::is_let_dig(c) || (c == '-' && pos_ > start)) {
      out.push_back(g::to_lower(c));
      ++pos_;
      last_hyphen = c == '-';
    } else if (g::is_non_ascii(c)) {
      if (!non_ascii_char(out)) return false;
      last_hyphen = false;
    } else {
      break;
    }
  }
  if (pos_ == start || last_hyphen || pos_ - start > max_label_length) return fail(failure::syntax);
  return true;
}

bool path_parser::domain(std::string& out) {
  std::size_t start = pos_;
  if (!sub_domain(out)) return false;
  while (peek() == '.') {
    out.push_back('.');
    ++pos_;
    if (!sub_domain(out)) return false;
  }
  // SECURITY: RFC 5321 4.5.3.1.2.
  if (pos_ - start > max_domain_length) return fail(failure::domain_too_long);
  return true;
}

// Snum 3("." Snum), Snum = 1*3DIGIT with a value of at most 255.
bool path_parser::ipv4_literal(std::string& out) {
  for (int part = 0; part < 4; ++part) {
    if (part > 0 && !eat('.')) return fail(failure::syntax);
    int value = 0;
    std::size_t digits = 0;
    while (digits < 3 && g::is_digit(peek())) {
      value = value * 10 + (in_[pos_++] - '0');
      ++digits;
    }
    if (digits == 0 || value > 255) return fail(failure::syntax);
    out += std::to_string(value);
    if (part < 3) out.push_back('.');
  }
  return true;
}

// "IPv6:" IPv6-addr.
bool path_parser::ipv6_literal(std::string& out) {
  pos_ += 5;  // "IPv6:"
  std::size_t start = pos_;
  while (g::is_hex_digit(peek()) || peek() == ':' || peek() == '.') ++pos_;
  std::string text = g::ascii_lower(in_.substr(start, pos_ - start));
  if (text.empty() || text.size() > max_ipv6_text || !is_ipv6_text(text)) return fail(failure::syntax);
  out += "IPv6:" + text;
  return true;
}

// General-address-literals (a tag other than IPv6) are refused: none is registered.
bool path_parser::address_literal(std::string& out) {
  if (!eat('[')) return fail(failure::syntax);
  out.push_back('[');
  bool ok = g::istarts_with(in_.substr(pos_), "IPv6:") ? ipv6_literal(out) : ipv4_literal(out);
  if (!ok || !eat(']')) return fail(failure::syntax);
  out.push_back(']');
  return true;
}

bool path_parser::parse_domain_or_literal(std::string& out) {
  return peek() == '[' ? address_literal(out) : domain(out);
}

bool path_parser::parse_mailbox(address& out) {
  if (!local_part(out)) return false;
  if (!eat('@')) return fail(failure::syntax);
  return parse_domain_or_literal(out.domain);
}

// A-d-l = At-domain *( "," At-domain ) ":" — parsed, then forgotten (RFC 5321 C).
bool path_parser::source_route() {
  do {
    std::string ignored;
    if (!eat('@') || !domain(ignored)) return fail(failure::syntax);
  } while (eat(','));
  return eat(':') ? true : fail(failure::syntax);
}

// RFC 5321 4.5.1: "<Postmaster>" without a domain, any case, RCPT only.
bool path_parser::bare_postmaster(path& out) {
  constexpr std::string_view word = "postmaster>";
  if (opts_.role != path_role::forward || !g::istarts_with(in_.substr(pos_), word)) return false;
  out.mailbox = address{std::string(in_.substr(pos_, word.size() - 1)), {}, false};
  pos_ += word.size();
  return true;
}

bool path_parser::parse_path(path& out) {
  if (!eat('<')) return fail(failure::syntax);
  if (opts_.role == path_role::reverse && eat('>')) return true;  // null reverse-path
  if (bare_postmaster(out)) return true;
  if (peek() == '@') {
    if (!source_route()) return false;
    out.had_source_route = true;
  }
  address a;
  if (!parse_mailbox(a) || !eat('>')) return false;
  // SECURITY: RFC 5321 4.5.3.1.3, checked once the whole path is known.
  if (pos_ > max_path_length) return fail(failure::path_too_long);
  out.mailbox = std::move(a);
  return true;
}

reply path_parser::failure_reply() const {
  bool sender = opts_.role == path_role::reverse;
  std::string_view enhanced = sender ? "5.1.7" : "5.1.3";
  std::string_view who = sender ? "sender" : "recipient";
  switch (fail_) {
    case failure::non_ascii: return replies::non_ascii_address();
    case failure::local_too_long:
      return make_reply(553, enhanced, "Local part of " + std::string(who) + " address too long");
    case failure::domain_too_long:
      return make_reply(553, enhanced, "Domain of " + std::string(who) + " address too long");
    case failure::path_too_long: return make_reply(501, enhanced, "Path too long");
    case failure::syntax: break;
  }
  return make_reply(501, enhanced, "Bad " + std::string(who) + " address syntax");
}

}  // namespace

bool address::has_relay_chars() const noexcept {
  return local_part.find_first_of("%!@") != std::string::npos;
}

bool address::is_postmaster() const noexcept { return grammar::iequals(local_part, "postmaster"); }

bool address::has_non_ascii() const noexcept {
  for (char c : local_part)
    if (grammar::is_non_ascii(c)) return true;
  for (char c : domain)
    if (grammar::is_non_ascii(c)) return true;
  return false;
}

reply_or<path_prefix> parse_path_prefix(std::string_view text, path_options opts) {
  path_parser p(text, opts);
  path_prefix out;
  if (!p.parse_path(out.value)) return p.failure_reply();
  out.length = p.position();
  return out;
}

reply_or<path> parse_path(std::string_view text, path_options opts) {
  auto r = parse_path_prefix(text, opts);
  if (!r) return r.error();
  if (r->length != text.size()) return path_parser(text, opts).failure_reply();  // syntax
  return std::move(r->value);
}

reply_or<address> parse_mailbox(std::string_view text, path_options opts) {
  path_parser p(text, opts);
  address out;
  if (!p.parse_mailbox(out)) return p.failure_reply();
  if (!p.at_end()) return path_parser(text, opts).failure_reply();
  return out;
}

std::optional<std::string> parse_domain_or_literal(std::string_view text, bool allow_utf8) {
  path_parser p(text, path_options{path_role::forward, allow_utf8});
  std::string out;
  if (!p.parse_domain_or_literal(out) || !p.at_end()) return std::nullopt;
  return out;
}

bool is_dot_string(std::string_view local_part) noexcept {
  bool atom_empty = true;
  for (std::size_t i = 0; i < local_part.size(); ++i) {
    char c = local_part[i];
    if (c == '.') {
      if (atom_empty) return false;
      atom_empty = true;
      continue;
    }
    if (!grammar::is_atext(c) && !grammar::is_non_ascii(c)) return false;
    atom_empty = false;
  }
  return !atom_empty;
}

std::string to_string(address const& a) {
  std::string out;
  if (is_dot_string(a.local_part)) {
    out = a.local_part;
  } else {
    out.push_back('"');
    for (char c : a.local_part) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  if (a.domain.empty()) return out;  // bare postmaster
  return out + "@" + a.domain;
}

std::string to_string(path const& p) {
  if (!p.mailbox) return "<>";
  std::string out = "<";
  out += to_string(*p.mailbox);
  out += '>';
  return out;
}

}  // namespace posta::mail::smtp::proto
