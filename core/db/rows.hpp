// Query results: a thin owner of a libpq PGresult with typed accessors.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct pg_result;

namespace posta::db {

class rows {
 public:
  rows() = default;
  explicit rows(pg_result* res);

  int size() const noexcept;      // number of rows
  bool empty() const noexcept { return size() == 0; }
  int columns() const noexcept;
  int column(std::string_view name) const;  // -1 when absent
  std::int64_t affected() const noexcept;   // rows changed by INSERT/UPDATE/DELETE

  bool is_null(int row, int col) const noexcept;
  std::string_view text(int row, int col) const noexcept;  // "" for NULL
  std::string str(int row, int col) const { return std::string(text(row, col)); }
  std::int64_t i64(int row, int col) const noexcept;       // 0 for NULL
  bool boolean(int row, int col) const noexcept;           // false for NULL
  std::optional<std::string> opt(int row, int col) const;
  std::string bytes(int row, int col) const;  // a bytea cell, unescaped ("" for NULL)

  // Access by column name, for readability in stores.
  std::string_view text(int row, std::string_view name) const noexcept { return text(row, column(name)); }
  std::string str(int row, std::string_view name) const { return str(row, column(name)); }
  std::int64_t i64(int row, std::string_view name) const noexcept { return i64(row, column(name)); }
  bool boolean(int row, std::string_view name) const noexcept { return boolean(row, column(name)); }
  bool is_null(int row, std::string_view name) const noexcept { return is_null(row, column(name)); }

 private:
  std::shared_ptr<pg_result> res_;
};

}  // namespace posta::db
