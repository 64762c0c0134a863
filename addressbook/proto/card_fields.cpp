#include "addressbook/proto/card_fields.hpp"

#include "core/util/ascii.hpp"

#include <algorithm>
#include <charconv>

namespace posta::addressbook::proto {
namespace {

std::optional<std::string> text_of(content_line const& line, card_fields& out) {
  auto raw = decoded_raw(line);
  if (!raw) {
    out.unreadable.push_back(line.name);
    return std::nullopt;
  }
  return unescape_text(*raw);
}

std::optional<std::vector<std::string>> components_of(content_line const& line, card_fields& out) {
  auto raw = decoded_raw(line);
  if (!raw) {
    out.unreadable.push_back(line.name);
    return std::nullopt;
  }
  return components(*raw);
}

std::string component(std::vector<std::string> const& parts, std::size_t i) {
  return i < parts.size() ? parts[i] : std::string();
}

int pref_of(content_line const& line) {
  if (line.has_type("pref")) return 1;
  auto const text = line.param_value("PREF");
  int pref = 100;
  auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), pref);
  if (ec != std::errc() || end != text.data() + text.size() || pref < 1 || pref > 100) return 100;
  return pref;
}

// TYPE values, one per word: "work,voice" quoted in one value counts twice.
std::vector<std::string> types_of(content_line const& line) {
  std::vector<std::string> out;
  for (auto const& p : line.params) {
    if (p.name != "TYPE") continue;
    for (auto const& v : p.values)
      for (auto word : split_unescaped(v, ','))
        if (!word.empty() && !util::ascii_iequals(word, "pref")) out.push_back(util::ascii_lowercase(word));
  }
  return out;
}

void add_typed(std::vector<typed_value>& into, content_line const& line, std::string value) {
  if (value.empty()) return;
  into.push_back({std::move(value), types_of(line), pref_of(line)});
}

// 4.0 may give a phone as a tel: URI (RFC 3966).
std::string phone_number(std::string value) {
  if (util::ascii_lowercase(std::string_view(value).substr(0, 4)) == "tel:") value.erase(0, 4);
  return value;
}

std::string joined_address(std::vector<std::string> const& parts) {
  std::string out;
  for (auto const& p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out += ", ";
    out += p;
  }
  for (auto& c : out)
    if (c == '\n') c = ' ';
  return out;
}

void read_name(content_line const& line, card_fields& out) {
  auto parts = components_of(line, out);
  if (!parts) return;
  out.family_name = component(*parts, 0);
  out.given_name = component(*parts, 1);
  out.additional_names = component(*parts, 2);
  out.name_prefix = component(*parts, 3);
  out.name_suffix = component(*parts, 4);
}

void read_organization(content_line const& line, card_fields& out) {
  auto parts = components_of(line, out);
  if (!parts) return;
  out.organization = component(*parts, 0);
  out.department = component(*parts, 1);
}

void read_categories(content_line const& line, card_fields& out) {
  auto raw = decoded_raw(line);
  if (!raw) return out.unreadable.push_back(line.name);
  for (auto piece : split_unescaped(*raw, ','))
    if (auto word = unescape_text(piece); !word.empty()) out.categories.push_back(std::move(word));
}

void read_photo(content_line const& line, card_fields& out) {
  if (out.photo) return;
  auto photo = decoded_binary(line);
  if (!photo) return out.unreadable.push_back(line.name);
  out.photo = std::move(*photo);
}

// A simple text property into its field; false when `line` is none of them.
bool read_simple(content_line const& line, card_fields& out) {
  static constexpr std::pair<std::string_view, std::string card_fields::*> simple[] = {
      {"UID", &card_fields::uid},       {"FN", &card_fields::formatted_name}, {"NICKNAME", &card_fields::nickname},
      {"TITLE", &card_fields::title},   {"ROLE", &card_fields::role},         {"NOTE", &card_fields::note},
      {"URL", &card_fields::url},       {"BDAY", &card_fields::birthday},     {"REV", &card_fields::revision},
      {"KIND", &card_fields::kind},     {"X-ADDRESSBOOKSERVER-KIND", &card_fields::kind}};
  for (auto const& [name, field] : simple) {
    if (line.name != name) continue;
    if (!(out.*field).empty()) return true;  // the first one counts
    if (auto text = text_of(line, out)) out.*field = std::move(*text);
    return true;
  }
  return false;
}

void read_line(content_line const& line, card_fields& out) {
  if (read_simple(line, out)) return;
  auto const& n = line.name;
  if (n == "N") return read_name(line, out);
  if (n == "ORG") return read_organization(line, out);
  if (n == "CATEGORIES") return read_categories(line, out);
  if (n == "PHOTO") return read_photo(line, out);
  auto text = (n == "EMAIL" || n == "TEL" || n == "IMPP" || n == "X-JABBER") ? text_of(line, out) : std::nullopt;
  if (n == "ADR") {
    if (auto parts = components_of(line, out)) add_typed(out.addresses, line, joined_address(*parts));
  } else if (text && n == "EMAIL") {
    add_typed(out.emails, line, std::move(*text));
  } else if (text && n == "TEL") {
    add_typed(out.phones, line, phone_number(std::move(*text)));
  } else if (text && n == "IMPP") {
    add_typed(out.impps, line, std::move(*text));
  } else if (text && n == "X-JABBER") {
    add_typed(out.impps, line, "xmpp:" + *text);  // COMPAT(Thunderbird, Evolution): before IMPP
  }
}

void by_pref(std::vector<typed_value>& v) {
  std::stable_sort(v.begin(), v.end(), [](auto const& a, auto const& b) { return a.pref < b.pref; });
}

// RFC 6350 6.2.1 requires FN; cards without one still need a name to show.
std::string made_up_name(card_fields const& f) {
  std::string name = f.given_name;
  if (!f.family_name.empty()) name += (name.empty() ? "" : " ") + f.family_name;
  if (!name.empty()) return name;
  if (!f.organization.empty()) return f.organization;
  return f.emails.empty() ? std::string() : f.emails.front().value;
}

}  // namespace

card_fields extract_fields(vcard const& card) {
  card_fields out;
  for (auto const& line : card.properties) read_line(line, out);
  for (auto* v : {&out.emails, &out.phones, &out.addresses, &out.impps}) by_pref(*v);
  out.kind = out.kind.empty() ? "individual" : util::ascii_lowercase(out.kind);
  if (out.formatted_name.empty()) out.formatted_name = made_up_name(out);
  return out;
}

}  // namespace posta::addressbook::proto
