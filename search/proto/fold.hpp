// The folding and word splitting that search applies to documents and to
// queries alike, so that both meet on the same terms: full case folding,
// accent folding of Latin, Greek and Cyrillic letters ("reunion" finds
// "réunion", Xapian 1.4 does not fold accents) and ё -> е. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace posta::search::proto {

// SECURITY: a folded word longer than this is not a term (Xapian refuses
// terms past 245 bytes, and no language has such words; base64 runs and
// hashes do): it is skipped, in documents and queries alike.
inline constexpr std::size_t max_word_bytes = 64;

// The folded form of UTF-8 text (invalid bytes become U+FFFD).
std::string fold(std::string_view utf8);

struct word {
  std::string folded;     // the word as a term, at most max_word_bytes
  std::size_t begin = 0;  // its bytes [begin, end) in the input
  std::size_t end = 0;
};

// Calls `on` for each word of the UTF-8 text, in order: a word is a run of
// letters, marks and digits (Unicode categories L, M, N); anything else
// (spaces, punctuation, symbols, invalid bytes) separates words. Words
// longer than max_word_bytes once folded are skipped (and counted in
// *skipped when given). `on` returns false to stop early.
void for_each_word(std::string_view utf8, std::function<bool(word const&)> const& on, std::size_t* skipped = nullptr);

// The folded words of the text, at most max_words of them.
std::vector<std::string> words(std::string_view utf8, std::size_t max_words = SIZE_MAX, std::size_t* skipped = nullptr);

}  // namespace posta::search::proto
