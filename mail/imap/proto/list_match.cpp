// LIST pattern matching by dynamic programming over (pattern, name)
// positions, so that "*%*%*%..." costs no more than plain text.
#include "mail/imap/proto/list_match.hpp"

#include "mail/imap/proto/collation.hpp"

#include <algorithm>
#include <vector>

namespace posta::mail::imap::proto {

std::string list_pattern(std::string_view reference, std::string_view pattern, char separator) {
  std::string out = !pattern.empty() && pattern.front() == separator ? std::string(pattern)
                                                                     : std::string(reference) + std::string(pattern);
  bool inbox = out.size() >= 5 && casemap_equals(std::string_view(out).substr(0, 5), "INBOX") &&
               (out.size() == 5 || out[5] == separator);
  if (inbox) out.replace(0, 5, "INBOX");
  return out;
}

bool list_matches(std::string_view pattern, std::string_view name, char separator) {
  auto literal = static_cast<std::size_t>(
      std::count_if(pattern.begin(), pattern.end(), [](char c) { return c != '*' && c != '%'; }));
  if (literal > name.size()) return false;
  // row[j]: pattern[0..i) matches name[0..j).
  std::vector<char> row(name.size() + 1, 0), next(name.size() + 1, 0);
  row[0] = 1;
  for (char p : pattern) {
    std::fill(next.begin(), next.end(), 0);
    for (std::size_t j = 0; j <= name.size(); ++j) {
      if (p == '*' || p == '%') {
        // A wildcard extends a match ending at j-1 by name[j-1], or matches nothing.
        bool extend = j > 0 && next[j - 1] && (p == '*' || name[j - 1] != separator);
        next[j] = row[j] || extend;
      } else {
        next[j] = j > 0 && row[j - 1] && name[j - 1] == p;
      }
    }
    std::swap(row, next);
  }
  return row[name.size()];
}

}  // namespace posta::mail::imap::proto
