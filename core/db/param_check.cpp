// Parameter checks before SQL: PostgreSQL text (and every type's text form)
// cannot hold NUL and must be valid UTF-8 in our UTF8 databases.
#include "core/db/param_check.hpp"

#include "core/util/utf8.hpp"

#include <string>

namespace posta::db {
namespace {

// The first words of a statement, enough for a person to recognise it.
std::string statement_head(std::string_view sql) {
  constexpr std::size_t shown = 60;
  std::string out(sql.substr(0, shown));
  for (char& c : out)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return sql.size() > shown ? out + "…" : out;
}

}  // namespace

std::optional<error> unstorable_parameter(std::string_view sql, params const& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (!args[i] || args[i].binary) continue;  // bytes are bytes
    auto bad = util::first_unstorable_byte(*args[i]);
    if (!bad) continue;
    std::string what = (*args[i])[*bad] == '\0' ? "a NUL byte" : "bytes that are not UTF-8";
    return make_error(errc::invalid_argument, "parameter $" + std::to_string(i + 1) + " of \"" + statement_head(sql) +
                                                  "\" holds " + what + " at offset " + std::to_string(*bad) +
                                                  " (refused before SQL)");
  }
  return std::nullopt;
}

}  // namespace posta::db
