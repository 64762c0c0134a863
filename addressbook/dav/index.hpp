// What the server keeps beside a card's text: its UID, name, mail
// addresses, and the folded words search and autocomplete match.
#pragma once

#include "addressbook/proto/vcard.hpp"
#include "addressbook/store/card_store.hpp"

namespace posta::addressbook::dav {

store::card_index index_of(proto::vcard const& card);

}  // namespace posta::addressbook::dav
