// The WebDAV and CardDAV properties of each resource (RFC 4918 15, RFC 5397,
// RFC 6352 6.2 and 7, RFC 6578 4, RFC 3744 5.4 for privileges, and the
// calendarserver getctag clients still ask for): a property's value as XML,
// or nothing when the resource has no such property (404 in its propstat).
#pragma once

#include "addressbook/dav/request_context.hpp"
#include "addressbook/store/book_store.hpp"
#include "addressbook/store/card_store.hpp"

#include <optional>
#include <string>
#include <vector>

namespace posta::addressbook::dav {

struct resource {
  proto::dav_target::kind what = proto::dav_target::kind::root;
  std::string href;
  std::optional<store::book_row> book;  // a book, or the book of a card
  std::optional<store::card_meta> card;
  std::optional<std::string> vcard;     // the card's text when address-data is wanted
};

std::optional<std::string> property_xml(user const& who, resource const& r, proto::property_name const& name,
                                        std::int64_t max_card_bytes);

// What allprop lists for this kind of resource (RFC 4918 9.1: not the
// expensive ones such as address-data).
std::vector<proto::property_name> default_properties(resource const& r);

// One response of a multistatus: the asked properties in a 200 propstat,
// those the resource lacks in a 404 one (names only for propname).
proto::dav_response describe(user const& who, resource const& r, proto::property_request const& asked,
                             std::int64_t max_card_bytes);

}  // namespace posta::addressbook::dav
