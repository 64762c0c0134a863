// The settings that bound what CardDAV clients store (issue 14 "Bounds").
#pragma once

#include "core/http/message.hpp"
#include "core/settings/settings.hpp"

#include <cstdint>

namespace posta::addressbook::dav {

// SECURITY: addressbook.max_card_kb, checked before a card is parsed or stored.
inline std::int64_t max_card_bytes(settings::store const& s) { return s.get_int("addressbook.max_card_kb") * 1024; }
// SECURITY: addressbook.max_cards per book.
inline std::int64_t max_cards(settings::store const& s) { return s.get_int("addressbook.max_cards"); }

// An operational error as a plain answer (404, 400, 413, else 503).
http::response answer_for(error const& e);

}  // namespace posta::addressbook::dav
