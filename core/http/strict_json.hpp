// What the admin API refuses in JSON that a plain parse would quietly take:
// duplicate member names (RFC 8259 4 says names SHOULD be unique; Boost.JSON
// keeps the last, so {"name":"a","name":"b"} means "b" to us and maybe "a"
// to a proxy or audit log that read it) and NUL in strings (libpq cuts text
// at NUL: "a\u0000b" was stored as "a"). Pure.
#pragma once

#include "core/util/result.hpp"

#include <string_view>

namespace posta::http {

// Ok when `text` is JSON without duplicate names in any object and without
// U+0000 in any string or name. A syntax error is left to the real parse.
// Errors: errc::invalid_argument, naming the member.
result<void> check_strict_json(std::string_view text);

}  // namespace posta::http
