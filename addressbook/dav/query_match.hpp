// Whether a card matches an addressbook-query filter (RFC 6352 10.5): each
// prop-filter against every instance of its property, text-match with the
// i;unicode-casemap (approximated by search's case and accent folding) or
// i;ascii-casemap collation, anyof/allof at both levels, negation.
#pragma once

#include "addressbook/proto/dav_request.hpp"
#include "addressbook/proto/vcard.hpp"

namespace posta::addressbook::dav {

bool matches(proto::vcard const& card, proto::query_report const& query);

}  // namespace posta::addressbook::dav
