// Walks the fields of an RFC 5322 / MIME header section inside a raw message
// and unfolds their values (RFC 5322 2.2, 2.2.3). Pure: no GMime, no I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace posta::mail::mime {

struct header_field {
  std::string_view name;       // as written, trailing WSP removed
  std::string_view raw_value;  // after the colon, still folded, without the final line end
};

// Yields the fields of the header that starts at `begin` in `raw` and ends at
// the first empty line or at `end`. Lenient like Dovecot: a line that is no
// field (no colon, bad name) stays inside the header and is skipped; the
// header only ends at an empty line, so a part without one has an empty body.
class header_scanner {
 public:
  header_scanner(std::string_view raw, std::size_t begin, std::size_t end);

  // The next field, or nullopt once the header section is over.
  std::optional<header_field> next();

  // Valid once next() returned nullopt: first byte after the empty line (or
  // `end`), and the number of lines of the header including the empty line.
  std::size_t body_start() const { return pos_; }
  std::size_t lines() const { return lines_; }

 private:
  std::size_t line_end(std::size_t from) const;        // index of '\n' or end_
  std::size_t content_end(std::size_t from, std::size_t eol) const;  // strips '\r'
  std::size_t skip_continuations(std::size_t next_line, std::size_t& value_end);

  std::string_view raw_;
  std::size_t pos_;
  std::size_t end_;
  std::size_t lines_ = 0;
  bool done_ = false;
};

// Unfolds a raw value: removes CR and LF (folding keeps the WSP that follows)
// and trims leading and trailing SP / HTAB.
std::string unfold(std::string_view raw_value);

// ASCII case-insensitive equality, for header and parameter names.
bool iequals(std::string_view a, std::string_view b);

// ASCII lowercase copy.
std::string to_lower(std::string_view s);

}  // namespace posta::mail::mime
