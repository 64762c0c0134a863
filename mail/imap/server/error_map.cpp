// The one place where mail/store errors become IMAP response codes.
#include "mail/imap/server/error_map.hpp"

#include "mail/store/errors.hpp"

namespace posta::mail::imap::server {

no_response map_store_error(error const& e, std::string_view what) {
  using store::store_errc;
  auto const w = std::string(what);
  if (e.code.category() == store::store_category()) {
    switch (static_cast<store_errc>(e.code.value())) {
      case store_errc::nonexistent: return {"NONEXISTENT", w + ": no such mailbox"};
      case store_errc::already_exists: return {"ALREADYEXISTS", w + ": mailbox already exists"};
      case store_errc::over_quota: return {"OVERQUOTA", w + ": quota exceeded"};
      case store_errc::cannot: return {"CANNOT", w + ": not possible for this mailbox"};
      case store_errc::invalid_name: return {"CANNOT", w + ": invalid mailbox name"};
      case store_errc::limit: return {"LIMIT", w + ": limit reached"};
      case store_errc::no_such_message: return {"EXPUNGEISSUED", w + ": message no longer exists"};
      case store_errc::ok: break;
    }
  }
  if (e.code == make_error_code(errc::invalid_argument)) return {"CLIENTBUG", w + ": " + e.context};
  if (e.code == make_error_code(errc::limit_exceeded)) return {"LIMIT", w + ": limit reached"};
  // Database or disk trouble: temporary.
  return {"UNAVAILABLE", w + ": temporary failure, try again later"};
}

}  // namespace posta::mail::imap::server
