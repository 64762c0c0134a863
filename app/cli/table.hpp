// Aligned plain-text tables and "label: value" blocks for the CLI's output.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace posta::cli {

class table {
 public:
  explicit table(std::vector<std::string> headers);
  void add_row(std::vector<std::string> cells);  // missing cells are empty
  std::size_t rows() const { return rows_.size(); }
  // Columns separated by two spaces, padded to the widest cell (counted in
  // UTF-8 code points); no trailing spaces; one line per row, header first.
  std::string render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// "Label:  value" lines with the values aligned.
std::string render_fields(std::vector<std::pair<std::string, std::string>> const& fields);

// Code points in a UTF-8 string (its width on most terminals).
std::size_t display_width(std::string_view s);

}  // namespace posta::cli
