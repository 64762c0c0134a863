// The query language of `posta search` and GET /api/v1/accounts/{a}/search:
//   words and "quoted phrases" (all must match), OR between alternatives,
//   -word or NOT word to exclude, ( ) to group, word* for a prefix,
//   field:word, field:"phrase" with the fields from to cc bcc subject body
//   attachment message-id, and date:YYYY-MM-DD, date:A..B, date:A.., date:..B.
// Parsed into a tree the engine turns into a Xapian query. Pure.
#pragma once

#include "core/util/result.hpp"
#include "search/proto/terms.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace posta::search::proto {

// SECURITY: bounds of a query, so that no input makes the parser or Xapian
// work without end: the bytes of the query, its words (each word is one
// posting list to merge), the nesting of parentheses and NOT (recursion),
// and the shortest prefix of a wildcard (a one-letter prefix expands to a
// good part of the vocabulary; the engine also caps every expansion).
struct query_limits {
  std::size_t max_bytes = 2048;
  std::size_t max_words = 64;
  std::size_t max_depth = 16;
  std::size_t min_wildcard_chars = 2;
};

struct query_node {
  enum class kind { all_of, any_of, exclude, words, date_range };
  kind k = kind::words;
  std::optional<field> in;           // words: the field, or nullopt for any field
  std::vector<std::string> words;    // words: folded; several = a phrase
  bool prefix = false;               // words: the last word is a prefix (word*)
  std::optional<std::int64_t> from;  // date_range: Unix seconds, inclusive
  std::optional<std::int64_t> to;    // date_range: Unix seconds, exclusive
  std::vector<query_node> children;  // all_of, any_of; exclude has one
};

// Errors are errc::invalid_argument with a message for the person who typed
// the query: "unbalanced quote", "too many words (at most 64)", …
result<query_node> parse_query(std::string_view text, query_limits const& limits = {});

// The folded words of a parsed query that are not excluded, for marking
// snippets.
std::vector<std::string> positive_words(query_node const& q);

}  // namespace posta::search::proto
