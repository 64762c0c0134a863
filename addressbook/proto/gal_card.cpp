#include "addressbook/proto/gal_card.hpp"

#include "addressbook/proto/vcard_writer.hpp"

#include <algorithm>

namespace posta::addressbook::proto {
namespace {

std::string attribute(gal_entry const& e, std::string const& key) {
  auto const it = e.attributes.find(key);
  return it == e.attributes.end() ? std::string() : it->second;
}

parameter type(std::vector<std::string> values) { return {"TYPE", std::move(values)}; }

void add_if(vcard& card, std::string name, std::string const& value, std::vector<parameter> params = {}) {
  if (!value.empty()) card.properties.push_back(text_property(std::move(name), value, std::move(params)));
}

std::string media_type_of(std::string const& photo) {
  return photo.starts_with("\x89PNG") ? "image/png" : "image/jpeg";
}

void add_person(vcard& card, gal_entry const& e) {
  auto const surname = attribute(e, "surname");
  auto const given = attribute(e, "given_name");
  card.properties.push_back(structured_property("N", {surname, given, "", "", ""}));
  add_if(card, "TITLE", attribute(e, "title"));
  auto const company = attribute(e, "company");
  auto const department = attribute(e, "department");
  if (!company.empty() || !department.empty())
    card.properties.push_back(structured_property("ORG", {company, department}));
  add_if(card, "TEL", attribute(e, "phone"), {type({"work", "voice"})});
  add_if(card, "TEL", attribute(e, "mobile"), {type({"cell"})});
  add_if(card, "TEL", attribute(e, "pager"), {type({"pager"})});
  std::vector<std::string> adr{"", "", attribute(e, "street"), attribute(e, "city"), attribute(e, "region"),
                               attribute(e, "postal_code"), attribute(e, "country")};
  bool const has_adr = std::any_of(adr.begin(), adr.end(), [](auto const& s) { return !s.empty(); });
  auto label = attribute(e, "postal_address");
  if (has_adr || !label.empty()) {
    std::vector<parameter> params{type({"work"})};
    if (!label.empty()) params.push_back({"LABEL", {label}});
    card.properties.push_back(structured_property("ADR", adr, std::move(params)));
  }
  add_if(card, "URL", attribute(e, "url"));
  card.properties.push_back(text_property("IMPP", "xmpp:" + e.address));
}

std::string note_of(gal_entry const& e) {
  auto note = attribute(e, "description");
  auto const info = attribute(e, "info");
  if (!info.empty()) note += (note.empty() ? "" : "\n") + info;
  return note;
}

}  // namespace

std::string gal_resource(gal_entry const& e) {
  return std::string(e.what == gal_entry::kind::group ? "group-" : "account-") + std::to_string(e.id) + ".vcf";
}

std::string gal_vcard(gal_entry const& e) {
  vcard card{vcard_version::v3_0, {}};
  auto const resource = gal_resource(e);
  card.properties.push_back(text_property("UID", "urn:x-posta:gal:" + resource.substr(0, resource.size() - 4)));
  card.properties.push_back(text_property("FN", e.display_name.empty() ? e.address : e.display_name));
  if (e.what == gal_entry::kind::group) {
    card.properties.push_back(structured_property("N", {e.display_name.empty() ? e.address : e.display_name}));
    // COMPAT(Apple Contacts): 3.0 has no KIND; Apple's X- form says "group".
    card.properties.push_back(text_property("X-ADDRESSBOOKSERVER-KIND", "group"));
    for (auto const& m : e.members) card.properties.push_back(text_property("X-ADDRESSBOOKSERVER-MEMBER", "mailto:" + m));
  } else {
    add_person(card, e);
  }
  card.properties.push_back(text_property("EMAIL", e.address, {type({"internet", "work", "pref"})}));
  for (auto const& a : e.aliases) card.properties.push_back(text_property("EMAIL", a, {type({"internet"})}));
  add_if(card, "NOTE", note_of(e));
  if (e.photo && !e.photo->empty())
    card.properties.push_back(photo_property(*e.photo, media_type_of(*e.photo), vcard_version::v3_0));
  return format_vcard(card);
}

}  // namespace posta::addressbook::proto
