// SQLSTATE → posta::errc (PostgreSQL appendix A).
#include "core/db/error.hpp"

#include "core/journal/log.hpp"

#include <libpq-fe.h>

#include <string>

namespace posta::db {
namespace {

errc classify(std::string_view state) {
  if (state == "23505") return errc::already_exists;                     // unique_violation
  if (state == "23503") return errc::conflict;                           // foreign_key_violation
  if (state == "23514" || state == "23502") return errc::invalid_argument;
  if (state.starts_with("22")) return errc::invalid_argument;             // data exceptions: bad dates, numbers
  if (state == "40001" || state == "40P01") return errc::conflict;       // retryable
  if (state.starts_with("08") || state.starts_with("57")) return errc::unavailable;
  return errc::internal;
}

}  // namespace

error error_from_result(pg_result const* res) {
  char const* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
  char const* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
  std::string s = state ? state : "";
  std::string text = "database [" + s + "] " + (primary ? primary : PQresultErrorMessage(res));
  return make_error(classify(s), std::move(text));
}

bool is_unique_violation(error const& e) { return e.context.find("[23505]") != std::string::npos; }

void log_database_error(error const& e) {
  bool expected = e.context.find("database [23") != std::string::npos ||
                  e.context.find("(refused before SQL)") != std::string::npos;
  journal::log(expected ? journal::level::info : journal::level::warning, "database: {}", e.context);
}

}  // namespace posta::db
