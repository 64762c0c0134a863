// Turns a failed PGresult into a posta::error: SQLSTATE classes map to our
// error codes so stores can tell a duplicate from an outage.
#pragma once

#include "core/util/result.hpp"

struct pg_result;

namespace posta::db {

error error_from_result(pg_result const* res);

// SQLSTATE of the last database error, kept in the context as "[23505] …".
bool is_unique_violation(error const& e);

// The one log line of a database error, written where the error arises (its
// context carries the SQLSTATE); callers decide what it means and do not
// log it again. Integrity violations and refused parameters, which callers
// expect (duplicates, bad input), are logged at info level.
void log_database_error(error const& e);

}  // namespace posta::db
