// Strict From / Sender parsing. RFC 5322 3.2.2 (CFWS), 3.2.3 (atoms),
// 3.2.4 (quoted strings), 3.4 (mailbox, name-addr, addr-spec), 3.4.1
// (domain literals), 3.6 (one From, at most one Sender), 3.6.2.
#include "mail/mime/originator.hpp"

#include "mail/mime/header_block.hpp"

#include <cstring>
#include <optional>

namespace posta::mail::mime {
namespace {

bool is_atext(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x80) return true;  // RFC 6532 3.2: UTF-8 in atoms
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c != '\0' && std::strchr("!#$%&'*+-/=?^_`{|}~", c) != nullptr;
}

class mailbox_parser {
 public:
  explicit mailbox_parser(std::string_view s) : s_(s) {}

  result<std::vector<std::string>> list(std::size_t max) {
    std::vector<std::string> out;
    for (;;) {
      if (out.size() == max)
        return fail("lists more than " + std::to_string(max) + " addresses");
      auto one = mailbox();
      if (!one) return one.error();
      out.push_back(std::move(*one));
      if (!cfws()) return fail("has an unterminated comment");
      if (at_end()) return out;
      if (s_[i_] != ',') return fail("has text after the address <" + out.back() + ">");
      ++i_;
    }
  }

 private:
  bool at_end() const { return i_ >= s_.size(); }
  error fail(std::string why) const { return make_error(errc::invalid_argument, std::move(why)); }

  // Folding white space and comments; false for an unterminated comment.
  bool cfws() {
    while (!at_end()) {
      char c = s_[i_];
      if (c == ' ' || c == '\t') {
        ++i_;
      } else if (c == '(') {
        if (!comment()) return false;
      } else {
        break;
      }
    }
    return true;
  }

  bool comment() {
    int depth = 0;
    for (; !at_end(); ++i_) {
      char c = s_[i_];
      if (c == '\\') {
        ++i_;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')' && --depth == 0) {
        ++i_;
        return true;
      }
    }
    return false;
  }

  bool quoted(std::string* out) {
    std::size_t start = i_++;
    for (; !at_end(); ++i_) {
      if (s_[i_] == '\\') {
        ++i_;
      } else if (s_[i_] == '"') {
        ++i_;
        if (out) *out = std::string(s_.substr(start, i_ - start));
        return true;
      }
    }
    return false;
  }

  std::size_t atom_end(std::size_t from) const {
    while (from < s_.size() && is_atext(s_[from])) ++from;
    return from;
  }

  // dot-atom-text (3.2.3): atoms joined by single dots.
  std::optional<std::string> dot_atom() {
    std::size_t start = i_;
    for (;;) {
      auto end = atom_end(i_);
      if (end == i_) return std::nullopt;
      i_ = end;
      if (at_end() || s_[i_] != '.') break;
      ++i_;
    }
    return std::string(s_.substr(start, i_ - start));
  }

  result<std::string> addr_spec() {
    std::string local;
    if (!at_end() && s_[i_] == '"') {
      if (!quoted(&local)) return fail("has an unterminated quoted string");
    } else if (auto a = dot_atom()) {
      local = std::move(*a);
    } else {
      return fail("has no valid address");
    }
    if (!cfws()) return fail("has an unterminated comment");
    if (at_end() || s_[i_] != '@') return fail("has an address without a domain");
    ++i_;
    if (!cfws()) return fail("has an unterminated comment");
    std::string domain;
    if (!at_end() && s_[i_] == '[') {
      auto close = s_.find(']', i_);
      if (close == std::string_view::npos) return fail("has an unterminated domain literal");
      domain = std::string(s_.substr(i_, close + 1 - i_));
      i_ = close + 1;
    } else if (auto d = dot_atom()) {
      domain = std::move(*d);
    } else {
      return fail("has an address without a valid domain");
    }
    return local + "@" + domain;
  }

  // display-name: one or more words (atoms, with obs-phrase dots, or quoted strings).
  bool phrase() {
    bool any = false;
    for (;;) {
      if (!cfws()) return any;
      if (at_end()) return any;
      if (s_[i_] == '"') {
        if (!quoted(nullptr)) return any;
      } else if (is_atext(s_[i_]) || (any && s_[i_] == '.')) {
        while (!at_end() && (is_atext(s_[i_]) || s_[i_] == '.')) ++i_;
      } else {
        return any;
      }
      any = true;
    }
  }

  result<std::string> mailbox() {
    if (!cfws()) return fail("has an unterminated comment");
    std::size_t start = i_;
    phrase();
    if (!cfws()) return fail("has an unterminated comment");
    if (!at_end() && s_[i_] == '<') {  // name-addr (or a bare angle-addr)
      ++i_;
      if (!cfws()) return fail("has an unterminated comment");
      if (!at_end() && s_[i_] == '@') return fail("has a source route, which is not accepted");
      auto spec = addr_spec();
      if (!spec) return spec;
      if (!cfws()) return fail("has an unterminated comment");
      if (at_end() || s_[i_] != '>') return fail("has an unclosed <");
      ++i_;
      return spec;
    }
    if (!at_end() && s_[i_] == ':') return fail("has a group, which is not accepted here");
    i_ = start;  // no '<': the words were the local part of an addr-spec
    if (at_end()) return fail("is empty");
    return addr_spec();
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

error field_error(std::string_view field, error const& e) {
  return make_error(errc::invalid_argument, "Malformed " + std::string(field) + " header: it " + e.context +
                                                " (RFC 5322 3.6.2)");
}

}  // namespace

result<std::vector<std::string>> parse_mailbox_list(std::string_view value, std::size_t max) {
  return mailbox_parser(value).list(max);
}

result<originators> parse_originators(std::string_view raw) {
  std::vector<std::string> from_values, sender_values;
  header_scanner scanner(raw, 0, raw.size());
  while (auto field = scanner.next()) {
    // header_scanner drops blanks before the colon: "From :" is "From".
    if (iequals(field->name, "from")) from_values.push_back(unfold(field->raw_value));
    if (iequals(field->name, "sender")) sender_values.push_back(unfold(field->raw_value));
  }
  if (from_values.size() != 1)
    return make_error(errc::invalid_argument, "Message must have exactly one From header, it has " +
                                                  std::to_string(from_values.size()) + " (RFC 5322 3.6)");
  if (sender_values.size() > 1)
    return make_error(errc::invalid_argument, "Message has more than one Sender header (RFC 5322 3.6)");
  originators out;
  auto from = parse_mailbox_list(from_values[0]);
  if (!from) return field_error("From", from.error());
  out.from = std::move(*from);
  if (!sender_values.empty()) {
    auto sender = parse_mailbox_list(sender_values[0], 1);
    if (!sender) return field_error("Sender", sender.error());
    out.sender = std::move((*sender)[0]);
  }
  return out;
}

}  // namespace posta::mail::mime
