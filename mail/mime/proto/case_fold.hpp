// Unicode simple case folding (Unicode 14 CaseFolding.txt, statuses C and S)
// of UTF-8 text, for IMAP SEARCH's case-insensitive substring matching
// (RFC 3501 6.4.4, RFC 9051 6.4.4.1). Pure and locale-free.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace posta::mail::mime {

// The simple case fold of one code point (itself when it has none).
char32_t fold_code_point(char32_t cp);

// Folds every code point of `utf8`; ill-formed bytes are copied unchanged,
// so folding never fails. Each code point stays one code point, though its
// UTF-8 length may change (U+023A, 2 bytes, folds to U+2C65, 3 bytes).
std::string fold_case(std::string_view utf8);

// IMAP's substring semantics over folded text: true when `needle` occurs in
// `haystack` after folding both; an empty needle matches everything.
class substring_matcher {
 public:
  explicit substring_matcher(std::string_view needle) : needle_(fold_case(needle)) {}

  // `folded_haystack` must already be fold_case()d (search text is folded
  // once per message, not once per key).
  bool matches(std::string_view folded_haystack) const;
  std::string const& folded_needle() const { return needle_; }

 private:
  std::string needle_;
};

}  // namespace posta::mail::mime
