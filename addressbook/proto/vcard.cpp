#include "addressbook/proto/vcard.hpp"

#include "core/util/ascii.hpp"

namespace posta::addressbook::proto {
namespace {

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_marker(std::string_view line, std::string_view marker) {
  return util::ascii_iequals(trim_right(line), marker);
}

// The lines of one BEGIN:VCARD … END:VCARD block, without those two.
struct block {
  std::size_t first_line = 0;  // 1-based logical line of its BEGIN
  std::vector<std::string_view> lines;
  bool nested = false;  // COMPAT(vCard 2.1): an AGENT's card inside; refused
  bool closed = false;
};

result<std::vector<block>> split_blocks(std::vector<std::string> const& lines, std::size_t max_cards) {
  std::vector<block> out;
  int depth = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view const line = lines[i];
    if (depth == 0) {
      if (!is_marker(line, "BEGIN:VCARD"))
        return make_error(errc::invalid_argument, "line " + std::to_string(i + 1) + ": text outside BEGIN:VCARD");
      if (out.size() == max_cards)
        return make_error(errc::limit_exceeded, "more than " + std::to_string(max_cards) + " vCards");
      out.push_back({i + 1, {}, false, false});
      depth = 1;
      continue;
    }
    if (is_marker(line, "BEGIN:VCARD")) {
      out.back().nested = true;
      ++depth;
    } else if (is_marker(line, "END:VCARD") && --depth == 0) {
      out.back().closed = true;
      continue;
    }
    if (depth > 0) out.back().lines.push_back(line);
  }
  if (out.empty()) return make_error(errc::invalid_argument, "no BEGIN:VCARD");
  return out;
}

std::string_view name_of(std::string_view line) {
  auto const end = line.find_first_of(";:");
  auto name = line.substr(0, end);
  if (auto const dot = name.find('.'); dot != std::string_view::npos) name = name.substr(dot + 1);
  return name;
}

result<vcard_version> version_of(block const& b) {
  for (auto line : b.lines) {
    if (!util::ascii_iequals(name_of(line), "VERSION")) continue;
    auto const colon = line.find(':');
    auto const v = colon == std::string_view::npos ? std::string_view() : trim_right(line.substr(colon + 1));
    if (v == "4.0") return vcard_version::v4_0;
    if (v == "3.0") return vcard_version::v3_0;
    if (v == "2.1") return vcard_version::v2_1;
    return make_error(errc::invalid_argument, "unsupported VERSION " + std::string(v.substr(0, 16)));
  }
  return make_error(errc::invalid_argument, "VERSION missing");
}

result<vcard> parse_block(block const& b, vcard_limits const& limits) {
  if (!b.closed) return make_error(errc::invalid_argument, "no END:VCARD");
  if (b.nested) return make_error(errc::invalid_argument, "a vCard inside a vCard");
  std::size_t bytes = 0;
  for (auto line : b.lines) bytes += line.size() + 2;
  if (bytes > limits.max_card_bytes)
    return make_error(errc::limit_exceeded, "vCard larger than " + std::to_string(limits.max_card_bytes) + " bytes");
  if (b.lines.size() > limits.max_properties)
    return make_error(errc::limit_exceeded, "more than " + std::to_string(limits.max_properties) + " properties");
  vcard card;
  card.version = POSTA_TRY(version_of(b));
  bool const carets = card.version == vcard_version::v4_0;
  for (std::size_t i = 0; i < b.lines.size(); ++i) {
    auto line = parse_content_line(b.lines[i], carets, limits.line);
    if (!line) {
      auto e = line.error();
      e.context = "line " + std::to_string(b.first_line + 1 + i) + ": " + e.context;
      return e;
    }
    if (line->name != "VERSION") card.properties.push_back(std::move(*line));
  }
  return card;
}

}  // namespace

std::string_view to_string(vcard_version v) {
  switch (v) {
    case vcard_version::v2_1: return "2.1";
    case vcard_version::v3_0: return "3.0";
    case vcard_version::v4_0: return "4.0";
  }
  return "4.0";
}

content_line const* vcard::first(std::string_view name) const {
  for (auto const& p : properties)
    if (p.name == name) return &p;
  return nullptr;
}

std::vector<content_line const*> vcard::all(std::string_view name) const {
  std::vector<content_line const*> out;
  for (auto const& p : properties)
    if (p.name == name) out.push_back(&p);
  return out;
}

result<vcard> parse_vcard(std::string_view text, vcard_limits const& limits) {
  // SECURITY: refused before it is unfolded (the lines would copy it).
  if (text.size() > limits.max_card_bytes + limits.max_card_bytes / 2)
    return make_error(errc::limit_exceeded, "vCard larger than " + std::to_string(limits.max_card_bytes) + " bytes");
  auto const lines = unfold_lines(text);
  auto blocks = split_blocks(lines, 1);
  if (!blocks && blocks.error().code == errc::limit_exceeded)
    return make_error(errc::invalid_argument, "more than one vCard");
  if (!blocks) return blocks.error();
  return parse_block(blocks->front(), limits);
}

result<vcard_file> parse_vcard_file(std::string_view text, vcard_limits const& limits) {
  auto const lines = unfold_lines(text);
  auto blocks = POSTA_TRY(split_blocks(lines, limits.max_cards));
  vcard_file out;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    auto card = parse_block(blocks[i], limits);
    if (card)
      out.cards.push_back(std::move(*card));
    else
      out.refusals.push_back({i + 1, card.error().context});
  }
  return out;
}

}  // namespace posta::addressbook::proto
