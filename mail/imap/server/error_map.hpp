// Store outcomes as IMAP responses (RFC 5530 response codes): decisions get
// their code (NONEXISTENT, ALREADYEXISTS, OVERQUOTA, CANNOT, LIMIT...),
// trouble is UNAVAILABLE (temporary: the client may retry).
#pragma once

#include "core/util/result.hpp"

#include <string>
#include <string_view>

namespace posta::mail::imap::server {

struct no_response {
  std::string code;  // "NONEXISTENT", "" when none
  std::string text;
};

// `what` names the operation for the text, e.g. "CREATE".
no_response map_store_error(error const& e, std::string_view what);

}  // namespace posta::mail::imap::server
