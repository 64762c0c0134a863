#include "addressbook/proto/dav_response.hpp"

#include "core/util/xml_escape.hpp"

namespace posta::addressbook::proto {
namespace {

constexpr std::string_view declarations =
    R"( xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:cs="http://calendarserver.org/ns/")";

std::string_view prefix_of(std::string_view ns) {
  if (ns == dav_ns) return "d";
  if (ns == carddav_ns) return "card";
  if (ns == calendarserver_ns) return "cs";
  return {};
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 409: return "Conflict";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 424: return "Failed Dependency";
    case 507: return "Insufficient Storage";
    default: return "Error";
  }
}

void append_status(std::string& out, int status) {
  out += "<d:status>HTTP/1.1 " + std::to_string(status) + " " + std::string(reason_phrase(status)) + "</d:status>";
}

void append_propstat(std::string& out, propstat const& ps) {
  out += "<d:propstat><d:prop>";
  for (auto const& p : ps.properties) out += element_xml(p.name, p.inner_xml);
  out += "</d:prop>";
  append_status(out, ps.status);
  out += "</d:propstat>";
}

}  // namespace

std::string element_xml(property_name const& name, std::string_view inner_xml) {
  auto const prefix = prefix_of(name.ns);
  std::string tag = prefix.empty() ? name.name : std::string(prefix) + ":" + name.name;
  std::string out = "<" + tag;
  if (prefix.empty()) out += " xmlns=\"" + util::xml_escaped(name.ns) + "\"";
  if (inner_xml.empty()) return out + "/>";
  return out + ">" + std::string(inner_xml) + "</" + tag + ">";
}

std::string text_xml(std::string_view text) { return util::xml_escaped(text); }

std::string href_xml(std::string_view href) { return "<d:href>" + util::xml_escaped(href) + "</d:href>"; }

std::string multistatus_body(std::vector<dav_response> const& responses, std::optional<std::string> const& sync_token) {
  std::string out = R"(<?xml version="1.0" encoding="utf-8"?>)" "\n<d:multistatus";
  out += declarations;
  out += ">";
  for (auto const& r : responses) {
    out += "<d:response>" + href_xml(r.href);
    for (auto const& ps : r.propstats) append_propstat(out, ps);
    if (r.propstats.empty()) append_status(out, r.status == 0 ? 200 : r.status);
    out += "</d:response>";
  }
  if (sync_token) out += "<d:sync-token>" + util::xml_escaped(*sync_token) + "</d:sync-token>";
  out += "</d:multistatus>\n";
  return out;
}

std::string error_body(property_name const& precondition) {
  std::string out = R"(<?xml version="1.0" encoding="utf-8"?>)" "\n<d:error";
  out += declarations;
  out += ">" + element_xml(precondition) + "</d:error>\n";
  return out;
}

}  // namespace posta::addressbook::proto
