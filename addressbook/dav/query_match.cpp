#include "addressbook/dav/query_match.hpp"

#include "addressbook/proto/value.hpp"
#include "core/util/ascii.hpp"
#include "search/proto/fold.hpp"

namespace posta::addressbook::dav {
namespace {

std::string collated(std::string_view text, bool ascii) {
  return ascii ? util::ascii_lowercase(text) : search::proto::fold(text);
}

bool text_matches(std::string const& value, proto::text_match const& m) {
  auto const v = collated(value, m.ascii_casemap);
  auto const t = collated(m.text, m.ascii_casemap);
  bool hit = false;
  switch (m.match) {
    case proto::text_match::type::equals: hit = v == t; break;
    case proto::text_match::type::contains: hit = v.find(t) != std::string::npos; break;
    case proto::text_match::type::starts_with: hit = v.starts_with(t); break;
    case proto::text_match::type::ends_with: hit = v.ends_with(t); break;
  }
  return hit != m.negate;
}

bool filter_matches(proto::vcard const& card, proto::prop_filter const& f) {
  auto const instances = card.all(f.name);
  if (f.is_not_defined) return instances.empty();
  if (instances.empty()) return false;
  if (f.matches.empty()) return true;  // defined is enough
  std::vector<std::string> values;
  for (auto const* line : instances)
    if (auto raw = proto::decoded_raw(*line)) values.push_back(proto::unescape_text(*raw));
  auto one = [&](proto::text_match const& m) {
    for (auto const& v : values)
      if (text_matches(v, m)) return true;
    return false;
  };
  if (f.all_of) return std::all_of(f.matches.begin(), f.matches.end(), one);
  return std::any_of(f.matches.begin(), f.matches.end(), one);
}

}  // namespace

bool matches(proto::vcard const& card, proto::query_report const& query) {
  if (query.filters.empty()) return true;
  auto one = [&](proto::prop_filter const& f) { return filter_matches(card, f); };
  if (query.all_of) return std::all_of(query.filters.begin(), query.filters.end(), one);
  return std::any_of(query.filters.begin(), query.filters.end(), one);
}

}  // namespace posta::addressbook::dav
