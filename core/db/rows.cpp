// Typed access to PGresult cells (text format).
#include "core/db/rows.hpp"

#include <libpq-fe.h>

#include <charconv>

namespace posta::db {

rows::rows(pg_result* res) : res_(res, [](pg_result* r) { PQclear(r); }) {}

int rows::size() const noexcept { return res_ ? PQntuples(res_.get()) : 0; }
int rows::columns() const noexcept { return res_ ? PQnfields(res_.get()) : 0; }
std::int64_t rows::affected() const noexcept {
  if (!res_) return 0;
  char const* n = PQcmdTuples(res_.get());
  std::int64_t v = 0;
  std::from_chars(n, n + std::char_traits<char>::length(n), v);
  return v;
}

int rows::column(std::string_view name) const {
  return res_ ? PQfnumber(res_.get(), std::string(name).c_str()) : -1;
}

bool rows::is_null(int row, int col) const noexcept {
  return !res_ || col < 0 || PQgetisnull(res_.get(), row, col);
}

std::string_view rows::text(int row, int col) const noexcept {
  if (is_null(row, col)) return {};
  return {PQgetvalue(res_.get(), row, col), static_cast<size_t>(PQgetlength(res_.get(), row, col))};
}

std::int64_t rows::i64(int row, int col) const noexcept {
  auto t = text(row, col);
  std::int64_t v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

bool rows::boolean(int row, int col) const noexcept { return text(row, col) == "t"; }

std::optional<std::string> rows::opt(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return str(row, col);
}

std::string rows::bytes(int row, int col) const {
  if (is_null(row, col)) return {};
  if (PQfformat(res_.get(), col) == 1)  // binary results: the bytes as they are
    return std::string(PQgetvalue(res_.get(), row, col), static_cast<std::size_t>(PQgetlength(res_.get(), row, col)));
  size_t length = 0;
  auto const* value = reinterpret_cast<unsigned char const*>(PQgetvalue(res_.get(), row, col));
  unsigned char* raw = PQunescapeBytea(value, &length);
  if (!raw) return {};
  std::string out(reinterpret_cast<char const*>(raw), length);
  PQfreemem(raw);
  return out;
}

}  // namespace posta::db
