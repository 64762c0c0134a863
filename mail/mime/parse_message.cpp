// Builds message_structure from a raw message: header sections, multipart
// boundaries (RFC 2046 5.1.1), message/rfc822 (RFC 2046 5.2.1) and the IMAP
// ENVELOPE (RFC 3501 7.4.2). The tree and every offset come from one bounded
// scan over the raw bytes; single fields are decoded by field_decoding (GMime).
#include "mail/mime/parse_message.hpp"

#include "mail/mime/address_list.hpp"
#include "mail/mime/field_decoding.hpp"
#include "mail/mime/header_block.hpp"

#include <algorithm>
#include <array>

namespace posta::mail::mime {

namespace {

// Unfolded values of the header fields we care about; the first one wins.
struct entity_headers {
  std::optional<std::string> content_type, encoding, id, description, disposition, language,
      location, md5;
  // Only read for message roots (top level and inside message/rfc822).
  std::optional<std::string> date, subject, from, sender, reply_to, to, cc, bcc, in_reply_to,
      message_id;
};

struct field_slot {
  std::string_view name;
  std::optional<std::string> entity_headers::*member;
  bool message_only;
};

constexpr std::array<field_slot, 18> field_slots{{
    {"content-type", &entity_headers::content_type, false},
    {"content-transfer-encoding", &entity_headers::encoding, false},
    {"content-id", &entity_headers::id, false},
    {"content-description", &entity_headers::description, false},
    {"content-disposition", &entity_headers::disposition, false},
    {"content-language", &entity_headers::language, false},
    {"content-location", &entity_headers::location, false},
    {"content-md5", &entity_headers::md5, false},
    {"date", &entity_headers::date, true},
    {"subject", &entity_headers::subject, true},
    {"from", &entity_headers::from, true},
    {"sender", &entity_headers::sender, true},
    {"reply-to", &entity_headers::reply_to, true},
    {"to", &entity_headers::to, true},
    {"cc", &entity_headers::cc, true},
    {"bcc", &entity_headers::bcc, true},
    {"in-reply-to", &entity_headers::in_reply_to, true},
    {"message-id", &entity_headers::message_id, true},
}};

entity_headers read_headers(header_scanner& scanner, bool message_root) {
  entity_headers h;
  while (auto field = scanner.next()) {
    for (auto const& slot : field_slots) {
      if ((slot.message_only && !message_root) || !iequals(field->name, slot.name)) continue;
      auto& member = h.*slot.member;
      if (!member) member = unfold(field->raw_value);
      break;
    }
  }
  return h;
}

std::vector<std::string> split_languages(std::string_view v) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < v.size() && out.size() < max_parameters) {
    auto comma = std::min(v.find(',', i), v.size());
    auto tag = unfold(v.substr(i, comma - i));
    if (!tag.empty()) out.push_back(std::move(tag));
    i = comma + 1;
  }
  return out;
}

// First token of Content-Transfer-Encoding, lowercase ("base64 (x)" -> "base64").
std::string encoding_token(std::string_view v) {
  auto end = v.find_first_of(" \t(;");
  return to_lower(v.substr(0, end));
}

std::uint64_t count_lines(std::string_view body) {
  auto n = static_cast<std::uint64_t>(std::count(body.begin(), body.end(), '\n'));
  if (!body.empty() && body.back() != '\n') ++n;  // a last line without line end
  return n;
}

enum class boundary_kind { none, delimiter, close };

// "--boundary" or "--boundary--", then optional transport padding (RFC 2046 5.1.1).
boundary_kind match_boundary(std::string_view line, std::string_view boundary) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() < boundary.size() + 2 || line.substr(0, 2) != "--" ||
      line.substr(2, boundary.size()) != boundary)
    return boundary_kind::none;
  auto rest = line.substr(boundary.size() + 2);
  auto kind = boundary_kind::delimiter;
  if (rest.substr(0, 2) == "--") {
    kind = boundary_kind::close;
    rest.remove_prefix(2);
  }
  return rest.find_first_not_of(" \t") == std::string_view::npos ? kind : boundary_kind::none;
}

bool is_attachment(body_part const& p) {
  if (p.is_message_rfc822()) return true;
  if (p.is_multipart()) return false;
  if (p.disposition == "attachment") return true;
  if (p.disposition == "inline") return false;
  for (auto const& d : p.disposition_params)
    if (d.name == "filename") return true;
  return p.param("name").has_value();
}

bool has_attachment(body_part const& p, bool is_root) {
  if (!is_root && is_attachment(p)) return true;
  if (is_root && !p.is_multipart() && !p.is_message_rfc822() && is_attachment(p)) return true;
  return std::any_of(p.children.begin(), p.children.end(),
                     [](body_part const& c) { return has_attachment(c, false); });
}

class structure_builder {
 public:
  structure_builder(std::string_view raw, parse_limits const& limits)
      : raw_(raw), limits_(limits), scan_budget_(limits.max_scan_passes * raw.size() + 64 * 1024) {}

  message_structure build();
  parse_cost cost() const { return parse_cost{scanned_, parts_}; }

 private:
  body_part parse_entity(std::size_t begin, std::size_t end, std::size_t depth, bool digest_child,
                         envelope* env, std::uint64_t* header_lines);
  void apply_content_headers(body_part& part, entity_headers const& h, bool digest_child) const;
  bool may_descend(body_part const& part, std::size_t depth) const;
  void split_multipart(body_part& part, std::size_t depth);
  void add_synthetic_child(body_part& part);
  void parse_encapsulated(body_part& part, std::size_t depth);
  envelope make_envelope(entity_headers const& h) const;
  std::size_t strip_line_end_before(std::size_t pos, std::size_t floor) const;

  bool over_budget() const { return scanned_ >= scan_budget_; }

  std::string_view raw_;
  parse_limits const& limits_;
  std::size_t parts_ = 0;
  std::uint64_t scan_budget_;
  std::uint64_t scanned_ = 0;
};

message_structure structure_builder::build() {
  message_structure ms;
  ms.root = parse_entity(0, raw_.size(), 0, false, &ms.env, &ms.header_lines);
  ms.size = raw_.size();
  if (ms.env.subject) ms.subject_decoded = decode_header_text(*ms.env.subject);
  for (auto const& a : ms.env.from) {
    if (a.is_group_start() || a.is_group_end()) continue;
    if (a.name) ms.from_name_decoded = decode_header_text(*a.name);
    break;
  }
  if (ms.env.date) ms.sent_date = parse_date(*ms.env.date);
  ms.has_attachments = has_attachment(ms.root, true);
  return ms;
}

// One entity in raw_[begin, end). env/header_lines are set for message roots.
body_part structure_builder::parse_entity(std::size_t begin, std::size_t end, std::size_t depth,
                                          bool digest_child, envelope* env,
                                          std::uint64_t* header_lines) {
  ++parts_;
  header_scanner scanner(raw_, begin, end);
  auto h = read_headers(scanner, env != nullptr);
  body_part part;
  part.header_start = begin;
  part.body_start = scanner.body_start();
  part.body_end = end;
  if (header_lines) *header_lines = scanner.lines();
  if (env) *env = make_envelope(h);
  apply_content_headers(part, h, digest_child);
  bool container = part.is_multipart() || (part.type == "message" && part.subtype == "rfc822");
  if (container && !may_descend(part, depth)) {
    // Kept as an opaque leaf: still served byte-exact, just not split.
    part.type = "application";
    part.subtype = "octet-stream";
    container = false;
  }
  if (part.is_multipart()) {
    split_multipart(part, depth + 1);
  } else if (container) {
    parse_encapsulated(part, depth + 1);
  }
  if (!part.is_multipart()) {
    part.lines = count_lines(raw_.substr(part.body_start, end - part.body_start));
    scanned_ += end - part.body_start;
  }
  return part;
}

bool structure_builder::may_descend(body_part const& part, std::size_t depth) const {
  // SECURITY: the depth and part limits bound recursion, time and row size.
  if (depth >= limits_.max_depth || parts_ >= limits_.max_parts || over_budget()) return false;
  if (part.is_multipart()) return true;
  // A transfer-encoded message/rfc822 is not parseable in place (RFC 2046 5.2.1
  // forbids it); like GMime we treat it as an opaque leaf.
  auto const& enc = part.encoding;
  return !enc || (*enc != "base64" && *enc != "quoted-printable" && *enc != "x-uuencode" &&
                  *enc != "uuencode");
}

void structure_builder::apply_content_headers(body_part& part, entity_headers const& h,
                                              bool digest_child) const {
  auto media = h.content_type ? parse_content_type(*h.content_type) : std::nullopt;
  if (media) {
    part.type = std::move(media->type);
    part.subtype = std::move(media->subtype);
    part.params = std::move(media->params);
  } else if (digest_child && !h.content_type) {  // RFC 2046 5.1.5
    part.type = "message";
    part.subtype = "rfc822";
  } else {  // RFC 2045 5.2: absent or invalid
    part.params.push_back(parameter{"charset", "us-ascii"});
  }
  if (h.encoding) part.encoding = encoding_token(*h.encoding);
  part.id = h.id;
  part.description = h.description;
  part.md5 = h.md5;
  part.location = h.location;
  if (h.language) part.language = split_languages(*h.language);
  if (h.disposition) {
    if (auto d = parse_content_disposition(*h.disposition)) {
      part.disposition = std::move(d->type);
      part.disposition_params = std::move(d->params);
    }
  }
}

// The line end before a boundary line belongs to the boundary (RFC 2046 5.1.1).
std::size_t structure_builder::strip_line_end_before(std::size_t pos, std::size_t floor) const {
  if (pos >= floor + 2 && raw_[pos - 2] == '\r' && raw_[pos - 1] == '\n') return pos - 2;
  if (pos >= floor + 1 && raw_[pos - 1] == '\n') return pos - 1;
  return pos;
}

void structure_builder::split_multipart(body_part& part, std::size_t depth) {
  auto boundary = part.param("boundary").value_or("");
  bool digest = part.subtype == "digest";
  std::optional<std::size_t> child_start;
  auto const end = static_cast<std::size_t>(part.body_end);
  for (auto pos = static_cast<std::size_t>(part.body_start); !boundary.empty() && pos < end;) {
    auto eol = std::min(raw_.find('\n', pos), end);
    auto next = eol < end ? eol + 1 : end;
    scanned_ += next - pos;
    if (over_budget()) break;  // SECURITY: the open part runs to the end
    auto kind = raw_[pos] == '-' ? match_boundary(raw_.substr(pos, eol - pos), boundary)
                                 : boundary_kind::none;
    if (kind != boundary_kind::none) {
      if (child_start) {
        auto child_end = strip_line_end_before(pos, *child_start);
        part.children.push_back(parse_entity(*child_start, child_end, depth, digest, nullptr, nullptr));
      }
      child_start.reset();
      if (kind == boundary_kind::close || parts_ >= limits_.max_parts) break;  // rest: epilogue
      child_start = next;
    }
    pos = next;
  }
  // A missing close delimiter: the last part runs to the end (truncated mail).
  if (child_start) part.children.push_back(parse_entity(*child_start, end, depth, digest, nullptr, nullptr));
  if (part.children.empty()) add_synthetic_child(part);
}

// IMAP needs at least one body in a multipart (RFC 3501 9, body-type-mpart);
// a multipart without any delimiter gets an empty text/plain part at its end.
void structure_builder::add_synthetic_child(body_part& part) {
  ++parts_;
  body_part empty;
  empty.params.push_back(parameter{"charset", "us-ascii"});
  empty.header_start = empty.body_start = empty.body_end = part.body_end;
  part.children.push_back(std::move(empty));
}

void structure_builder::parse_encapsulated(body_part& part, std::size_t depth) {
  envelope inner_env;
  auto inner = parse_entity(part.body_start, part.body_end, depth, false, &inner_env, nullptr);
  part.message_envelope = std::move(inner_env);
  part.children.push_back(std::move(inner));
}

envelope structure_builder::make_envelope(entity_headers const& h) const {
  auto addresses = [&](std::optional<std::string> const& v) {
    return v ? parse_address_list(*v, limits_.max_addresses) : address_list{};
  };
  envelope env;
  env.date = h.date;
  env.subject = h.subject;
  env.from = addresses(h.from);
  env.sender = addresses(h.sender);
  env.reply_to = addresses(h.reply_to);
  env.to = addresses(h.to);
  env.cc = addresses(h.cc);
  env.bcc = addresses(h.bcc);
  env.in_reply_to = h.in_reply_to;
  env.message_id = h.message_id;
  // RFC 3501 7.4.2: absent sender and reply-to default to from.
  if (env.sender.empty()) env.sender = env.from;
  if (env.reply_to.empty()) env.reply_to = env.from;
  return env;
}

}  // namespace

result<message_structure> parse_message(std::string_view raw, parse_limits const& limits, parse_cost* cost) {
  // SECURITY: offsets are exact for any size, but nothing legitimate is this big.
  if (raw.size() > limits.max_message_bytes)
    return make_error(errc::limit_exceeded, "message larger than max_message_bytes");
  structure_builder builder(raw, limits);
  auto structure = builder.build();
  if (cost) *cost = builder.cost();
  return structure;
}

}  // namespace posta::mail::mime
