// A snippet of a hit's text around the first words that match the query,
// the matching words marked, for `posta search` and the search API. The
// match is on folded words, so "reunion" marks "Réunion". Pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace posta::search::proto {

struct snippet_options {
  std::size_t max_bytes = 200;  // of text shown, marks not counted (cut at a UTF-8 boundary)
  std::string_view open = "[";
  std::string_view close = "]";
};

// `words` are folded query words; a text word matches one when it starts
// with it (prefix terms are how the index matches too). Without a match the
// snippet is the start of the text. Runs of white space become one space.
std::string make_snippet(std::string_view text, std::vector<std::string> const& words,
                         snippet_options const& options = {});

}  // namespace posta::search::proto
