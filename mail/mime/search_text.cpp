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
void add_header(message_bytes const& bytes, std::uint64_t begin, std::uint64_t end, std::string& out,
                std::vector<search_field>* fields, bool fold) {
  auto const header = bytes(begin, end);
  header_scanner scanner(header, 0, header.size());
  while (auto f = scanner.next()) {
    auto text = decode_header_text(unfold(f->raw_value));
    search_field field{to_lower(f->name), fold ? fold_case(text) : std::move(text)};
    out += field.name + ": " + field.text + "\n";
    if (fields) fields->push_back(std::move(field));
  }
}

// Walks the part tree (its depth is bounded by parse_limits::max_depth)
// collecting folded text up to the limit.
class body_collector {
 public:
  body_collector(message_bytes const& bytes, search_text_limits const& limits) : bytes_(bytes), limits_(limits) {}

  void visit(body_part const& part) {
    if (out_.size() >= limits_.max_body_bytes) return;
    if (part.is_multipart()) {
      for (auto const& child : part.children) visit(child);
    } else if (part.is_message_rfc822()) {
      auto const& inner = part.children.front();
      add_header(bytes_, inner.header_start, inner.body_start, out_, nullptr, limits_.fold);
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
    auto body = bytes_(part.body_start,
                       part.body_start + std::min<std::uint64_t>(part.body_end - part.body_start, room * 2));
    auto encoding = classify_transfer_encoding(part.encoding);
    auto decoded = encoding ? decode_transfer(*encoding, body) : std::string(body);
    auto text = charset_to_utf8(decoded, part.param("charset").value_or(""));
    if (part.subtype == "html") text = html_to_text(text);
    auto folded = limits_.fold ? fold_case(text) : std::move(text);
    out_.append(folded, 0, std::min(folded.size(), room));
    // NUL cannot occur in the text (charset_to_utf8 drops it) nor in an IMAP
    // search string, so no match spans two parts.
    out_ += '\0';
  }

  message_bytes const& bytes_;
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

// Visits the parts as body_collector does, naming what it would read.
class range_collector {
 public:
  explicit range_collector(search_text_limits const& limits) : budget_(limits.max_read_bytes) {}

  void add(std::uint64_t begin, std::uint64_t end) {
    if (end <= begin || budget_ == 0) return;
    end = std::min(end, begin + budget_);
    budget_ -= end - begin;
    out_.push_back({begin, end});
  }

  void visit(body_part const& part) {
    if (part.is_multipart()) {
      for (auto const& child : part.children) visit(child);
    } else if (part.is_message_rfc822()) {
      auto const& inner = part.children.front();
      add(inner.header_start, inner.body_start);
      visit(inner);
    } else if (part.is_text()) {
      add(part.body_start, part.body_end);
    }
  }

  // Sorted and merged: a malformed structure may name a range twice.
  std::vector<message_range> take() {
    std::sort(out_.begin(), out_.end(), [](auto const& a, auto const& b) { return a.begin < b.begin; });
    std::vector<message_range> merged;
    for (auto const& r : out_) {
      if (!merged.empty() && r.begin <= merged.back().end) merged.back().end = std::max(merged.back().end, r.end);
      else merged.push_back(r);
    }
    return merged;
  }

 private:
  std::uint64_t budget_;
  std::vector<message_range> out_;
};

}  // namespace

std::vector<message_range> search_text_ranges(message_structure const& ms, search_text_limits const& limits) {
  range_collector c(limits);
  c.add(ms.root.header_start, ms.root.body_start);
  if (limits.max_body_bytes > 0) c.visit(ms.root);
  return c.take();
}

search_text extract_search_text(message_bytes const& bytes, message_structure const& ms,
                                search_text_limits const& limits) {
  search_text t;
  add_header(bytes, ms.root.header_start, ms.root.body_start, t.header, &t.headers, limits.fold);
  body_collector collector(bytes, limits);
  collector.visit(ms.root);
  t.body = collector.take();
  return t;
}

search_text extract_search_text(std::string_view raw, message_structure const& ms, search_text_limits const& limits) {
  message_bytes whole = [raw](std::uint64_t begin, std::uint64_t end) {
    if (begin >= raw.size()) return std::string_view();
    return raw.substr(begin, std::min<std::uint64_t>(end, raw.size()) - begin);
  };
  return extract_search_text(whole, ms, limits);
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
