// The database layer refuses, before any SQL is sent, a text parameter that
// PostgreSQL would reject (a NUL byte or ill-formed UTF-8): a client's bytes
// then end as a clear invalid_argument error, never as a failed statement
// that aborts the transaction of a whole batch.
#pragma once

#include "core/db/params.hpp"
#include "core/util/result.hpp"

#include <optional>
#include <string_view>

namespace posta::db {

// SECURITY: the error names the parameter ($n) and the statement; callers that
// know which field the value came from say so in their own message.
std::optional<error> unstorable_parameter(std::string_view sql, params const& args);

}  // namespace posta::db
