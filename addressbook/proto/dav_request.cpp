#include "addressbook/proto/dav_request.hpp"

#include "core/util/ascii.hpp"
#include "core/xml/document.hpp"

#include <charconv>

namespace posta::addressbook::proto {
namespace {

using xml::element;

error bad(std::string reason) { return make_error(errc::invalid_argument, std::move(reason)); }

xml::document_limits body_limits() {
  xml::document_limits limits;
  limits.max_elements = max_body_elements;
  return limits;
}

result<element> parse_body(std::string_view body, std::string_view ns, std::string_view root) {
  auto doc = POSTA_TRY(xml::parse_document(body, body_limits()));
  if (!doc.is(ns, root)) return bad("expected a " + std::string(root) + " element");
  return doc;
}

result<property_request> properties_of(element const& parent) {
  property_request out;
  if (parent.child(dav_ns, "propname")) {
    out.what = property_request::kind::names;
    return out;
  }
  auto const* prop = parent.child(dav_ns, "prop");
  if (!prop) return out;  // allprop, said or implied
  out.what = property_request::kind::listed;
  for (auto const& p : prop->children) {
    if (out.listed.size() == max_listed_properties) return make_error(errc::limit_exceeded, "too many properties");
    out.listed.push_back({p.ns, p.name});
  }
  return out;
}

result<void> add_updates(element const& instruction, bool set, std::vector<property_update>& out) {
  for (auto const* prop : instruction.children_named(dav_ns, "prop")) {
    for (auto const& p : prop->children) {
      if (out.size() == max_listed_properties) return make_error(errc::limit_exceeded, "too many properties");
      // Only a property's text is kept (displayname, description).
      out.push_back({{p.ns, p.name}, set ? std::optional(p.text) : std::nullopt});
    }
  }
  return {};
}

std::optional<std::size_t> limit_of(element const& report) {
  auto const* limit = report.child(carddav_ns, "limit");
  if (!limit) limit = report.child(dav_ns, "limit");
  if (!limit) return std::nullopt;
  auto const* n = limit->child(carddav_ns, "nresults");
  if (!n) n = limit->child(dav_ns, "nresults");
  if (!n) return std::nullopt;
  std::size_t value = 0;
  auto const text = std::string_view(n->text);
  auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

result<text_match> text_match_of(element const& e) {
  text_match m;
  m.text = e.text;
  auto const collation = e.attribute_value("collation");
  if (collation == "i;ascii-casemap")
    m.ascii_casemap = true;
  else if (!collation.empty() && collation != "i;unicode-casemap")
    return make_error(errc::not_found, "unsupported collation " + std::string(collation));
  auto const type = e.attribute_value("match-type");
  if (type == "equals") m.match = text_match::type::equals;
  else if (type == "starts-with") m.match = text_match::type::starts_with;
  else if (type == "ends-with") m.match = text_match::type::ends_with;
  else if (!type.empty() && type != "contains") return bad("unknown match-type");
  m.negate = e.attribute_value("negate-condition") == "yes";
  return m;
}

result<prop_filter> prop_filter_of(element const& e) {
  prop_filter f;
  f.name = util::ascii_uppercase(e.attribute_value("name"));
  if (f.name.empty()) return bad("prop-filter without a name");
  f.all_of = e.attribute_value("test") == "allof";
  f.is_not_defined = e.child(carddav_ns, "is-not-defined") != nullptr;
  for (auto const* m : e.children_named(carddav_ns, "text-match")) f.matches.push_back(POSTA_TRY(text_match_of(*m)));
  return f;
}

result<query_report> query_of(element const& root) {
  query_report q;
  q.properties = POSTA_TRY(properties_of(root));
  q.limit = limit_of(root);
  auto const* filter = root.child(carddav_ns, "filter");
  if (!filter) return q;
  q.all_of = filter->attribute_value("test") == "allof";
  for (auto const* f : filter->children_named(carddav_ns, "prop-filter")) {
    if (q.filters.size() == max_filters) return make_error(errc::limit_exceeded, "too many filters");
    q.filters.push_back(POSTA_TRY(prop_filter_of(*f)));
  }
  return q;
}

result<multiget_report> multiget_of(element const& root) {
  multiget_report m;
  m.properties = POSTA_TRY(properties_of(root));
  for (auto const* href : root.children_named(dav_ns, "href")) {
    if (m.hrefs.size() == max_hrefs) return make_error(errc::limit_exceeded, "too many hrefs");
    m.hrefs.push_back(href->text);
  }
  return m;
}

result<sync_report> sync_of(element const& root) {
  sync_report s;
  if (auto const* token = root.child(dav_ns, "sync-token")) s.token = token->text;
  auto const* level = root.child(dav_ns, "sync-level");
  if (!level) return bad("sync-collection without sync-level");
  s.infinite = level->text == "infinite";
  if (!s.infinite && level->text != "1") return bad("bad sync-level");
  s.properties = POSTA_TRY(properties_of(root));
  s.limit = limit_of(root);
  return s;
}

}  // namespace

result<property_request> parse_propfind(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return property_request{};
  auto root = POSTA_TRY(parse_body(body, dav_ns, "propfind"));
  return properties_of(root);
}

result<std::vector<property_update>> parse_proppatch(std::string_view body) {
  auto root = POSTA_TRY(parse_body(body, dav_ns, "propertyupdate"));
  std::vector<property_update> out;
  for (auto const& instruction : root.children) {
    if (instruction.is(dav_ns, "set")) POSTA_TRY(add_updates(instruction, true, out));
    if (instruction.is(dav_ns, "remove")) POSTA_TRY(add_updates(instruction, false, out));
  }
  return out;
}

result<mkcol_request> parse_mkcol(std::string_view body) {
  mkcol_request out;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return out;
  auto root = POSTA_TRY(parse_body(body, dav_ns, "mkcol"));
  for (auto const* set : root.children_named(dav_ns, "set")) {
    for (auto const* prop : set->children_named(dav_ns, "prop")) {
      if (auto const* type = prop->child(dav_ns, "resourcetype"))
        out.addressbook = type->child(carddav_ns, "addressbook") != nullptr;
    }
    POSTA_TRY(add_updates(*set, true, out.properties));
  }
  std::erase_if(out.properties, [](auto const& u) { return u.name == property_name{"DAV:", "resourcetype"}; });
  return out;
}

result<report_request> parse_report(std::string_view body) {
  auto root = POSTA_TRY(xml::parse_document(body, body_limits()));
  if (root.is(carddav_ns, "addressbook-multiget")) return report_request(POSTA_TRY(multiget_of(root)));
  if (root.is(carddav_ns, "addressbook-query")) return report_request(POSTA_TRY(query_of(root)));
  if (root.is(dav_ns, "sync-collection")) return report_request(POSTA_TRY(sync_of(root)));
  return make_error(errc::not_found, "unsupported report " + root.name);
}

}  // namespace posta::addressbook::proto
