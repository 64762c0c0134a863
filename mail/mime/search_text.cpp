// Searchable text of a stored message (RFC 3501 6.4.4): header fields through
// header_scanner and decode_header_text, text parts through the transfer
// decoder, charset_to_utf8 and html_to_text, all folded with fold_case.
#include "mail/mime/search_text.hpp"

#include "mail/mime/field_decoding.hpp"
#include "mail/mime/header_block.hpp"
#include "mail/mime/proto/html_text.hpp"
#include "mail/mime/proto/transfer_decoding.hpp"

#include <algorithm>

namespace posta::mail::mime {

namespace {

// Appends "name: text\n" for every field of the header in [begin, end);
// collects the fields too when `fields` is given.
void add_header(std::string_view raw, std::uint64_t begin, std::uint64_t end, std::string& out,
                std::vector<search_field>* fields) {
  header_scanner scanner(raw, begin, end);
  while (auto f = scanner.next()) {
    search_field field{to_lower(f->name), fold_case(decode_header_text(unfold(f->raw_value)))};
    out += field.name + ": " + field.text + "\n";
    if (fields) fields->push_back(std::move(field));
  }
}

// Walks the part tree (its depth is bounded by parse_limits::max_depth)
// collecting folded text up to the limit.
class body_collector {
 public:
  body_collector(std::string_view raw, search_text_limits const& limits) : raw_(raw), limits_(limits) {}

  void visit(body_part const& part) {
    if (out_.size() >= limits_.max_body_bytes) return;
    if (part.is_multipart()) {
      for (auto const& child : part.children) visit(child);
    } else if (part.is_message_rfc822()) {
      auto const& inner = part.children.front();
      add_header(raw_, inner.header_start, inner.body_start, out_, nullptr);
      visit(inner);
    } else if (part.is_text()) {
      add_text(part);
    }
  }

  std::string take() { return std::move(out_); }

 private:
  void add_text(body_part const& part) {
    auto room = limits_.max_body_bytes - out_.size();
    // Decoding never makes text longer than its encoding, nor does
    // charset conversion more than 3 times (a byte becomes U+FFFD at worst).
    auto body = raw_.substr(part.body_start, std::min<std::uint64_t>(part.body_end - part.body_start, room * 2));
    auto encoding = classify_transfer_encoding(part.encoding);
    auto decoded = encoding ? decode_transfer(*encoding, body) : std::string(body);
    auto text = charset_to_utf8(decoded, part.param("charset").value_or(""));
    if (part.subtype == "html") text = html_to_text(text);
    auto folded = fold_case(text);
    out_.append(folded, 0, std::min(folded.size(), room));
    // NUL cannot occur in the text (charset_to_utf8 drops it) nor in an IMAP
    // search string, so no match spans two parts.
    out_ += '\0';
  }

  std::string_view raw_;
  search_text_limits const& limits_;
  std::string out_;
};

std::string_view field_of(search_text_key key) {
  switch (key) {
    case search_text_key::subject:
      return "subject";
    case search_text_key::from:
      return "from";
    case search_text_key::to:
      return "to";
    case search_text_key::cc:
      return "cc";
    case search_text_key::bcc:
      return "bcc";
    default:
      return {};
  }
}

}  // namespace

search_text extract_search_text(std::string_view raw, message_structure const& ms, search_text_limits const& limits) {
  search_text t;
  add_header(raw, ms.root.header_start, ms.root.body_start, t.header, &t.headers);
  body_collector collector(raw, limits);
  collector.visit(ms.root);
  t.body = collector.take();
  return t;
}

bool text_key_matches(search_text const& text, search_text_key key, substring_matcher const& needle,
                      std::string_view field_name) {
  if (key == search_text_key::text) return needle.matches(text.header) || needle.matches(text.body);
  if (key == search_text_key::body) return needle.matches(text.body);
  auto name = key == search_text_key::header ? field_name : field_of(key);
  return std::any_of(text.headers.begin(), text.headers.end(),
                     [&](search_field const& f) { return iequals(f.name, name) && needle.matches(f.text); });
}

}  // namespace posta::mail::mime
