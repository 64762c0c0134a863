// UTF-8 validation and repair: the shared implementation in core/util.
#include "mail/mime/utf8.hpp"

#include "core/util/utf8.hpp"

namespace posta::mail::mime {

bool is_valid_utf8(std::string_view s) { return util::is_valid_utf8(s); }

std::string sanitize_utf8(std::string_view s) { return util::sanitize_utf8(s); }

}  // namespace posta::mail::mime
