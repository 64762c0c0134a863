// Search filters built from untrusted values (RFC 4515): a login name or an
// address never changes a filter's structure.
#pragma once

#include <string>
#include <string_view>

namespace posta::directory::proto {

// RFC 4515 section 3: `value` as an assertion value. The four special
// characters * ( ) \ and NUL must be escaped as \XX; every other byte outside
// printable ASCII is escaped too (allowed by the RFC), so that the filter
// text is plain ASCII whatever the input.
std::string escape_filter_value(std::string_view value);

// (&BASE(ATTRIBUTE=VALUE)) with VALUE escaped. `base` is an administrator's
// filter, already checked by is_balanced_filter(); `attribute` a configured
// attribute name.
std::string and_equals(std::string_view base, std::string_view attribute, std::string_view value);

// An administrator's filter: parenthesised, balanced, no NUL. A cheap check at
// save time; the directory server parses it for real.
bool is_balanced_filter(std::string_view filter);

}  // namespace posta::directory::proto
