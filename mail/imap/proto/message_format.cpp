// Formats ENVELOPE, BODY and BODYSTRUCTURE (RFC 3501 7.4.2 and the grammar of
// section 9) and resolves BODY[section] specifiers (RFC 3501 6.4.5) to byte
// ranges of the stored message.
#include "mail/imap/proto/message_format.hpp"

#include "mail/imap/proto/collation.hpp"

#include <algorithm>

namespace posta::mail::imap::proto {

namespace mime = posta::mail::mime;

namespace {

bool needs_literal(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x80 || c == '\r' || c == '\n';
  });
}

bool is_ascii(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// RFC 2231 4: charset''percent-encoded, attribute-char kept as is.
std::string rfc2231_encode(std::string_view utf8) {
  static constexpr std::string_view keep = "!#$&+-.^_`|~";
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out = "utf-8''";
  for (unsigned char c : utf8) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum || keep.find(static_cast<char>(c)) != std::string_view::npos) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 15]);
    }
  }
  return out;
}

// body-fld-param: ("NAME" "value" ...) or NIL.
void append_params(std::string& out, std::vector<mime::parameter> const& params) {
  if (params.empty()) {
    out += "NIL";
    return;
  }
  out.push_back('(');
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (i) out.push_back(' ');
    auto const& p = params[i];
    if (is_ascii(p.value)) {
      append_string(out, casemap_key(p.name));
      out.push_back(' ');
      append_string(out, p.value);
    } else {
      append_string(out, casemap_key(p.name) + "*");
      out.push_back(' ');
      append_string(out, rfc2231_encode(p.value));
    }
  }
  out.push_back(')');
}

void append_type_params(std::string& out, mime::body_part const& p) {
  if (p.params.empty() && p.is_text())
    out += "(\"CHARSET\" \"us-ascii\")";  // RFC 2045 5.2 default
  else
    append_params(out, p.params);
}

void append_address_list(std::string& out, mime::address_list const& list) {
  if (list.empty()) {
    out += "NIL";
    return;
  }
  out.push_back('(');
  for (auto const& a : list) {
    out.push_back('(');
    append_nstring(out, a.name);
    out.push_back(' ');
    append_nstring(out, a.adl);
    out.push_back(' ');
    append_nstring(out, a.mailbox);
    out.push_back(' ');
    append_nstring(out, a.host);
    out.push_back(')');
  }
  out.push_back(')');
}

void append_envelope(std::string& out, mime::envelope const& e) {
  out.push_back('(');
  append_nstring(out, e.date);
  out.push_back(' ');
  append_nstring(out, e.subject);
  for (auto const* list : {&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc}) {
    out.push_back(' ');
    append_address_list(out, *list);
  }
  out.push_back(' ');
  append_nstring(out, e.in_reply_to);
  out.push_back(' ');
  append_nstring(out, e.message_id);
  out.push_back(')');
}

// body-fld-dsp SP body-fld-lang SP body-fld-loc, shared by both part kinds.
void append_disposition_language_location(std::string& out, mime::body_part const& p) {
  if (p.disposition) {
    out.push_back('(');
    append_string(out, casemap_key(*p.disposition));
    out.push_back(' ');
    append_params(out, p.disposition_params);
    out.push_back(')');
  } else {
    out += "NIL";
  }
  out.push_back(' ');
  if (p.language.empty()) {
    out += "NIL";
  } else if (p.language.size() == 1) {
    append_string(out, p.language.front());
  } else {
    out.push_back('(');
    for (std::size_t i = 0; i < p.language.size(); ++i) {
      if (i) out.push_back(' ');
      append_string(out, p.language[i]);
    }
    out.push_back(')');
  }
  out.push_back(' ');
  append_nstring(out, p.location);
}

void append_multipart(std::string& out, mime::body_part const& p, bool extensible) {
  out.push_back('(');
  if (p.children.empty()) {
    // The parser never stores this, but the grammar needs 1*body.
    out += "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 0 0)";
  }
  for (auto const& child : p.children) append_body(out, child, extensible);
  out.push_back(' ');
  append_string(out, casemap_key(p.subtype));
  if (extensible) {
    out.push_back(' ');
    append_params(out, p.params);
    out.push_back(' ');
    append_disposition_language_location(out, p);
  }
  out.push_back(')');
}

// body-type-basic / body-type-msg / body-type-text with body-ext-1part.
void append_single_part(std::string& out, mime::body_part const& p, bool extensible) {
  out.push_back('(');
  append_string(out, casemap_key(p.type));
  out.push_back(' ');
  append_string(out, casemap_key(p.subtype));
  out.push_back(' ');
  append_type_params(out, p);
  out.push_back(' ');
  append_nstring(out, p.id);
  out.push_back(' ');
  append_nstring(out, p.description);
  out.push_back(' ');
  append_string(out, p.encoding ? casemap_key(*p.encoding) : "7BIT");
  out += ' ' + std::to_string(p.body_end - p.body_start);
  if (p.is_message_rfc822()) {
    out.push_back(' ');
    append_envelope(out, *p.message_envelope);
    out.push_back(' ');
    append_body(out, p.children.front(), extensible);
    out += ' ' + std::to_string(p.lines);
  } else if (p.is_text()) {
    out += ' ' + std::to_string(p.lines);
  }
  if (extensible) {
    out.push_back(' ');
    append_nstring(out, p.md5);
    out.push_back(' ');
    append_disposition_language_location(out, p);
  }
  out.push_back(')');
}

// One step of a section path: the n-th part below `node` (RFC 3501 6.4.5).
// `at_message` is true while node is a message root whose single body is part 1.
mime::body_part const* descend(mime::body_part const* node, bool& at_message, std::uint32_t n) {
  if (n == 0) return nullptr;
  for (;;) {
    if (node->is_multipart()) {
      at_message = false;
      return n <= node->children.size() ? &node->children[n - 1] : nullptr;
    }
    if (at_message) {
      at_message = false;
      return n == 1 ? node : nullptr;
    }
    if (!node->is_message_rfc822()) return nullptr;
    node = &node->children.front();  // numbers continue inside the encapsulated message
    at_message = true;
  }
}

}  // namespace

void append_string(std::string& out, std::string_view s) {
  if (needs_literal(s)) {
    auto nuls = static_cast<std::size_t>(std::count(s.begin(), s.end(), '\0'));
    out += '{' + std::to_string(s.size() - nuls) + "}\r\n";
    for (char c : s)
      if (c != '\0') out.push_back(c);
    return;
  }
  out.push_back('"');
  for (char c : s) {
    if (c == '\0') continue;
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

void append_nstring(std::string& out, std::optional<std::string> const& s) {
  if (s)
    append_string(out, *s);
  else
    out += "NIL";
}

std::string format_envelope(mime::envelope const& env) {
  std::string out;
  append_envelope(out, env);
  return out;
}

void append_body(std::string& out, mime::body_part const& part, bool extensible) {
  if (part.is_multipart())
    append_multipart(out, part, extensible);
  else
    append_single_part(out, part, extensible);
}

std::string format_body_structure(mime::message_structure const& ms, bool extensible) {
  std::string out;
  append_body(out, ms.root, extensible);
  return out;
}

std::optional<mime::byte_range> section_range(mime::message_structure const& ms,
                                              section_spec const& spec) {
  if (spec.part.empty()) {
    switch (spec.text) {
      case section_text::none: return mime::byte_range{0, ms.size};
      case section_text::header: return ms.root.header();
      case section_text::text: return ms.root.body();
      case section_text::mime: return std::nullopt;
    }
  }
  mime::body_part const* node = &ms.root;
  bool at_message = true;
  for (auto n : spec.part)
    if (!(node = descend(node, at_message, n))) return std::nullopt;
  switch (spec.text) {
    case section_text::none: return node->body();
    case section_text::mime: return node->header();
    case section_text::header:
    case section_text::text:
      if (!node->is_message_rfc822()) return std::nullopt;
      auto const& inner = node->children.front();
      return spec.text == section_text::header ? inner.header() : inner.body();
  }
  return std::nullopt;
}

mime::body_part const* section_part(mime::message_structure const& ms, std::vector<std::uint32_t> const& part) {
  mime::body_part const* node = &ms.root;
  bool at_message = true;
  for (auto n : part)
    if (!(node = descend(node, at_message, n))) return nullptr;
  return node;
}

}  // namespace posta::mail::imap::proto
