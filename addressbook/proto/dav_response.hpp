// WebDAV answers: 207 multistatus bodies (RFC 4918 13, 14.16) with their
// propstats, the sync-token of a sync-collection report (RFC 6578 3.5), and
// error bodies naming the failed precondition (RFC 4918 16). Pure.
#pragma once

#include "addressbook/proto/dav_request.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace posta::addressbook::proto {

inline constexpr std::string_view calendarserver_ns = "http://calendarserver.org/ns/";

struct property_value {
  property_name name;
  std::string inner_xml;  // the element's content, already XML (see text_xml, href_xml)
};

struct propstat {
  int status = 200;
  std::vector<property_value> properties;
};

struct dav_response {
  std::string href;  // percent-encoded path
  std::vector<propstat> propstats;
  int status = 0;  // instead of propstats: 404 for a missing multiget href, a deletion in a sync report
};

std::string multistatus_body(std::vector<dav_response> const& responses,
                             std::optional<std::string> const& sync_token = std::nullopt);

// <d:error> holding one empty precondition element.
std::string error_body(property_name const& precondition);

// One element `name` with `inner_xml` inside, with the prefixes the
// multistatus declares (d:, card:, cs:) or its own xmlns.
std::string element_xml(property_name const& name, std::string_view inner_xml = {});
std::string text_xml(std::string_view text);  // escaped character data
std::string href_xml(std::string_view href);  // <d:href>…</d:href>

}  // namespace posta::addressbook::proto
