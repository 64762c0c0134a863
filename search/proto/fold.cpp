// Folding and word splitting over the tables of dev/gen-search-fold.
#include "search/proto/fold.hpp"

#include <algorithm>
#include <array>
#include <iterator>

namespace posta::search::proto {
namespace {

struct fold_entry {
  char32_t cp;
  std::array<char32_t, 3> out;
};
struct word_range {
  char32_t first;
  char32_t last;
};

constexpr fold_entry fold_entries[] = {
#define POSTA_FOLD_ENTRIES
#include "search/proto/fold_table.inc"
#undef POSTA_FOLD_ENTRIES
};
constexpr word_range word_ranges[] = {
#define POSTA_WORD_RANGES
#include "search/proto/fold_table.inc"
#undef POSTA_WORD_RANGES
};

constexpr char32_t replacement = 0xFFFD;

// One code point from s at i (advancing i); invalid or overlong sequences,
// surrogates and truncated ends give U+FFFD for one byte.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  auto const b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return ++i, b0;
  int len = b0 >= 0xF0 && b0 <= 0xF4 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC2 && b0 < 0xE0 ? 2 : 0;
  if (b0 >= 0xF5) len = 0;
  if (len == 0 || i + len > s.size()) return ++i, replacement;
  char32_t cp = b0 & (0x7F >> len);
  for (int k = 1; k < len; ++k) {
    auto const b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return ++i, replacement;
    cp = (cp << 6) | (b & 0x3F);
  }
  bool const overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
  if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return ++i, replacement;
  i += len;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

void append_folded(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp);
    return;
  }
  auto it = std::lower_bound(std::begin(fold_entries), std::end(fold_entries), cp,
                             [](fold_entry const& e, char32_t c) { return e.cp < c; });
  if (it == std::end(fold_entries) || it->cp != cp) return append_utf8(out, cp);
  for (auto c : it->out)
    if (c != 0) append_utf8(out, c);
}

bool is_word_code_point(char32_t cp) {
  if (cp < 0x80) return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  if (cp == replacement) return false;
  auto it = std::upper_bound(std::begin(word_ranges), std::end(word_ranges), cp,
                             [](char32_t c, word_range const& r) { return c < r.first; });
  return it != std::begin(word_ranges) && cp <= std::prev(it)->last;
}

}  // namespace

std::string fold(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size();) append_folded(out, next_code_point(utf8, i));
  return out;
}

void for_each_word(std::string_view utf8, std::function<bool(word const&)> const& on, std::size_t* skipped) {
  word w;
  bool in_word = false;
  auto finish = [&](std::size_t end) {
    in_word = false;
    w.end = end;
    // A word of accents alone folds to nothing; an overlong one is no term.
    if (w.folded.empty()) return true;
    if (w.folded.size() > max_word_bytes) {
      if (skipped) ++*skipped;
      return true;
    }
    return on(w);
  };
  for (std::size_t i = 0; i < utf8.size();) {
    std::size_t const at = i;
    char32_t const cp = next_code_point(utf8, i);
    if (!is_word_code_point(cp)) {
      if (in_word && !finish(at)) return;
      continue;
    }
    if (!in_word) {
      in_word = true;
      w.folded.clear();
      w.begin = at;
    }
    // SECURITY: a run far past the bound is not accumulated without end.
    if (w.folded.size() <= max_word_bytes) append_folded(w.folded, cp);
  }
  if (in_word) finish(utf8.size());
}

std::vector<std::string> words(std::string_view utf8, std::size_t max_words, std::size_t* skipped) {
  std::vector<std::string> out;
  if (max_words == 0) return out;
  for_each_word(
      utf8,
      [&](word const& w) {
        out.push_back(w.folded);
        return out.size() < max_words;
      },
      skipped);
  return out;
}

}  // namespace posta::search::proto
