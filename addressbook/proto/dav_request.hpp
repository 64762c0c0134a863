// WebDAV and CardDAV request bodies: PROPFIND (RFC 4918 9.1), PROPPATCH
// (9.2), extended MKCOL (RFC 5689), and the REPORTs a CardDAV client sends:
// addressbook-multiget and addressbook-query (RFC 6352 8.6, 8.7) and
// sync-collection (RFC 6578 3.2). Bodies in, typed requests out. Pure.
#pragma once

#include "core/util/result.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace posta::addressbook::proto {

inline constexpr std::string_view dav_ns = "DAV:";
inline constexpr std::string_view carddav_ns = "urn:ietf:params:xml:ns:carddav";

struct property_name {
  std::string ns;
  std::string name;
  bool operator==(property_name const&) const = default;
};

struct property_request {
  enum class kind { all, names, listed };  // allprop, propname, prop
  kind what = kind::all;
  std::vector<property_name> listed;
};

// An empty body asks for allprop (RFC 4918 9.1).
result<property_request> parse_propfind(std::string_view body);

struct property_update {
  property_name name;
  std::optional<std::string> value;  // nullopt: remove
};
result<std::vector<property_update>> parse_proppatch(std::string_view body);

// RFC 5689: an extended MKCOL may set the resource type and properties.
struct mkcol_request {
  bool addressbook = false;  // resourcetype holds CARDDAV:addressbook
  std::vector<property_update> properties;
};
result<mkcol_request> parse_mkcol(std::string_view body);

struct multiget_report {
  property_request properties;
  std::vector<std::string> hrefs;  // as sent (percent-encoded paths)
};

// RFC 6352 10.5.4: text-match with i;unicode-casemap (the default) or
// i;ascii-casemap; match-type equals, contains (the default), starts-with,
// ends-with; negate-condition.
struct text_match {
  std::string text;
  bool ascii_casemap = false;
  enum class type { equals, contains, starts_with, ends_with } match = type::contains;
  bool negate = false;
};

struct prop_filter {
  std::string name;  // upper-case vCard property name: "FN", "EMAIL"
  bool all_of = false;  // test="allof"; anyof is the default
  bool is_not_defined = false;
  std::vector<text_match> matches;
};

struct query_report {
  property_request properties;
  bool all_of = false;  // the filter's test: anyof (default) or allof
  std::vector<prop_filter> filters;
  std::optional<std::size_t> limit;  // CARDDAV:limit/nresults
};

struct sync_report {
  std::string token;  // "" for the initial sync
  bool infinite = false;  // sync-level infinity (refused: books have no sub-collections)
  property_request properties;
  std::optional<std::size_t> limit;
};

using report_request = std::variant<multiget_report, query_report, sync_report>;

// errc::invalid_argument for a malformed body (400), errc::not_found for a
// report of another kind (403 with DAV:supported-report, RFC 3253 3.6).
result<report_request> parse_report(std::string_view body);

// SECURITY: bounds of a request the server must answer in one piece.
// COMPAT(vdirsyncer): its first sync asks for every card of a book in one
// addressbook-multiget, so the bound is that of a book; the request body's
// own bound (1 MiB on the HTTP listeners) comes first for larger books.
inline constexpr std::size_t max_hrefs = 100'000;
// The tree of one request body: a multiget of max_hrefs, with room.
inline constexpr std::size_t max_body_elements = 2 * max_hrefs;
inline constexpr std::size_t max_filters = 32;
inline constexpr std::size_t max_listed_properties = 64;

}  // namespace posta::addressbook::proto
