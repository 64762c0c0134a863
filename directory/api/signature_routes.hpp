// /api/v1/accounts/{address}/signature: the signature templates of the
// settings signature.html and signature.text, rendered for one account
// (issue 12 "Signature variables"). The same renderer stamps outgoing mail.
#pragma once

namespace posta::db {
class pool;
}
namespace posta::http {
class router;
}
namespace posta::settings {
class store;
}

namespace posta::directory::api {

void add_signature_routes(http::router& router, db::pool& pool, settings::store const& settings);

// Registers the check of signature.html and signature.text (an unknown
// [variable] or a remote image is refused when the template is saved).
void register_signature_validators();

}  // namespace posta::directory::api
