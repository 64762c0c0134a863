#include "addressbook/dav/properties.hpp"

namespace posta::addressbook::dav {
namespace {

using proto::carddav_ns;
using proto::dav_ns;
using proto::element_xml;
using proto::href_xml;
using proto::text_xml;
using kind = proto::dav_target::kind;

proto::property_name dav(std::string_view n) { return {std::string(dav_ns), std::string(n)}; }
proto::property_name card(std::string_view n) { return {std::string(carddav_ns), std::string(n)}; }

std::string privileges(bool writable) {
  std::string out = element_xml(dav("privilege"), element_xml(dav("read")));
  if (writable) {
    out += element_xml(dav("privilege"), element_xml(dav("write")));
    out += element_xml(dav("privilege"), element_xml(dav("write-content")));
    out += element_xml(dav("privilege"), element_xml(dav("bind")));
    out += element_xml(dav("privilege"), element_xml(dav("unbind")));
  }
  return out;
}

std::string supported_reports() {
  std::string out;
  for (auto const& r : {card("addressbook-multiget"), card("addressbook-query"), dav("sync-collection")})
    out += element_xml(dav("supported-report"), element_xml(dav("report"), element_xml(r)));
  return out;
}

// Cards are stored and served as their clients wrote them: 3.0 and 4.0.
constexpr std::string_view address_data_types =
    R"(<card:address-data-type content-type="text/vcard" version="3.0"/>)"
    R"(<card:address-data-type content-type="text/vcard" version="4.0"/>)";

std::optional<std::string> resource_type(resource const& r) {
  switch (r.what) {
    case kind::card: return std::string();
    case kind::principal: return element_xml(dav("principal"));
    case kind::book: return element_xml(dav("collection")) + element_xml(card("addressbook"));
    default: return element_xml(dav("collection"));
  }
}

std::optional<std::string> book_property(resource const& r, std::string_view name, std::int64_t max_card_bytes) {
  if (!r.book || r.what != kind::book) return std::nullopt;
  auto const& b = *r.book;
  if (name == "getctag") return text_xml(std::to_string(b.revision));
  if (name == "sync-token") return text_xml(sync_token(b.id, b.revision));
  if (name == "addressbook-description") return text_xml(b.description);
  if (name == "supported-address-data") return std::string(address_data_types);
  if (name == "max-resource-size") return text_xml(std::to_string(max_card_bytes));
  if (name == "supported-report-set") return supported_reports();
  return std::nullopt;
}

std::optional<std::string> card_property(resource const& r, std::string_view name) {
  if (!r.card) return std::nullopt;
  if (name == "getetag") return text_xml(r.card->etag);
  if (name == "getcontenttype") return text_xml("text/vcard; charset=utf-8");
  if (name == "address-data" && r.vcard) return text_xml(*r.vcard);
  return std::nullopt;
}

std::string display_name(user const& who, resource const& r) {
  if (r.book) return r.book->display_name.empty() ? r.book->name : r.book->display_name;
  return who.display_name.empty() ? who.address : who.display_name;
}

}  // namespace

std::optional<std::string> property_xml(user const& who, resource const& r, proto::property_name const& name,
                                        std::int64_t max_card_bytes) {
  auto const& n = name.name;
  if (name.ns == dav_ns) {
    if (n == "resourcetype") return resource_type(r);
    if (n == "current-user-principal" || (n == "principal-URL" && r.what == kind::principal) ||
        (n == "owner" && r.what != kind::root))
      return href_xml(proto::principal_href(who.address));
    if (n == "principal-collection-set") return href_xml("/dav/principals/");
    if (n == "displayname" && r.what != kind::card) return text_xml(display_name(who, r));
    if (n == "current-user-privilege-set")
      return privileges((r.what == kind::book || r.what == kind::card) && r.book && r.book->name != "gal");
    if (n == "sync-token" || n == "supported-report-set") return book_property(r, n, max_card_bytes);
    if (n == "getetag" || n == "getcontenttype") return card_property(r, n);
    return std::nullopt;
  }
  if (name.ns == carddav_ns) {
    if (n == "addressbook-home-set" && (r.what == kind::principal || r.what == kind::root))
      return href_xml(proto::home_href(who.address));
    if (n == "address-data") return card_property(r, n);
    return book_property(r, n, max_card_bytes);
  }
  if (name.ns == proto::calendarserver_ns && n == "getctag") return book_property(r, n, max_card_bytes);
  return std::nullopt;
}

std::vector<proto::property_name> default_properties(resource const& r) {
  std::vector<proto::property_name> out{dav("resourcetype"), dav("current-user-principal")};
  switch (r.what) {
    case kind::card:
      out.push_back(dav("getetag"));
      out.push_back(dav("getcontenttype"));
      break;
    case kind::book:
      for (auto const& p : {dav("displayname"), dav("sync-token"), card("addressbook-description"),
                            card("supported-address-data"), card("max-resource-size"),
                            proto::property_name{std::string(proto::calendarserver_ns), "getctag"}})
        out.push_back(p);
      break;
    default:
      out.push_back(dav("displayname"));
      out.push_back(card("addressbook-home-set"));
      break;
  }
  return out;
}

proto::dav_response describe(user const& who, resource const& r, proto::property_request const& asked,
                             std::int64_t max_card_bytes) {
  using what = proto::property_request::kind;
  auto const names = asked.what == what::listed ? asked.listed : default_properties(r);
  proto::propstat found{200, {}}, missing{404, {}};
  for (auto const& name : names) {
    auto value = property_xml(who, r, name, max_card_bytes);
    if (!value) {
      missing.properties.push_back({name, ""});
      continue;
    }
    found.properties.push_back({name, asked.what == what::names ? std::string() : std::move(*value)});
  }
  proto::dav_response out{r.href, {}, 0};
  if (!found.properties.empty()) out.propstats.push_back(std::move(found));
  if (!missing.properties.empty()) out.propstats.push_back(std::move(missing));
  if (out.propstats.empty()) out.status = 200;
  return out;
}

}  // namespace posta::addressbook::dav
