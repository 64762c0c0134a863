// Plain-text table layout for human output of the CLI.
#include "app/cli/table.hpp"

#include <algorithm>

namespace posta::cli {

std::size_t display_width(std::string_view s) {
  // Continuation bytes (10xxxxxx) add no width.
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

table::table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void table::add_row(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  rows_.push_back(std::move(cells));
}

namespace {

void append_line(std::string& out, std::vector<std::string> const& cells, std::vector<std::size_t> const& widths) {
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    // Tabs and newlines in a value would break the columns.
    std::string cell = cells[i];
    std::replace_if(cell.begin(), cell.end(), [](char c) { return c == '\n' || c == '\t' || c == '\r'; }, ' ');
    line += cell;
    if (i + 1 < cells.size()) line += std::string(widths[i] - display_width(cell) + 2, ' ');
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  out += line;
  out += '\n';
}

}  // namespace

std::string table::render() const {
  std::vector<std::size_t> widths(headers_.size());
  for (std::size_t i = 0; i < headers_.size(); ++i) {
    widths[i] = display_width(headers_[i]);
    for (auto const& row : rows_) widths[i] = std::max(widths[i], display_width(row[i]));
  }
  std::string out;
  append_line(out, headers_, widths);
  for (auto const& row : rows_) append_line(out, row, widths);
  return out;
}

std::string render_fields(std::vector<std::pair<std::string, std::string>> const& fields) {
  std::size_t width = 0;
  for (auto const& [label, value] : fields) width = std::max(width, display_width(label) + 1);
  std::string out;
  for (auto const& [label, value] : fields) {
    std::string line = label + ":" + std::string(width - display_width(label) - 1 + 2, ' ') + value;
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + '\n';
  }
  return out;
}

}  // namespace posta::cli
