#include "search/proto/snippet.hpp"

#include "search/proto/fold.hpp"

namespace posta::search::proto {
namespace {

bool matches(std::string const& folded, std::vector<std::string> const& words) {
  for (auto const& w : words)
    if (folded.compare(0, w.size(), w) == 0) return true;
  return false;
}

// Backs `at` off to the start of a UTF-8 sequence.
std::size_t boundary(std::string_view s, std::size_t at) {
  while (at > 0 && at < s.size() && (static_cast<unsigned char>(s[at]) & 0xC0) == 0x80) --at;
  return at;
}

void append_spaced(std::string& out, std::string_view piece) {
  for (char c : piece) {
    bool const space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    if (!space)
      out += c;
    else if (!out.empty() && out.back() != ' ')
      out += ' ';
  }
}

}  // namespace

std::string make_snippet(std::string_view text, std::vector<std::string> const& words, snippet_options const& options) {
  struct span {
    std::size_t begin, end;
  };
  std::vector<span> marked;
  std::size_t start = std::string_view::npos;
  for_each_word(text, [&](word const& w) {
    if (!matches(w.folded, words)) return true;
    if (start == std::string_view::npos) start = w.begin;
    if (w.end > start + options.max_bytes) return false;
    marked.push_back({w.begin, w.end});
    return true;
  });
  // A little context before the first match.
  std::size_t begin = start == std::string_view::npos ? 0 : start - std::min<std::size_t>(start, options.max_bytes / 4);
  begin = boundary(text, begin);
  std::size_t const end = boundary(text, std::min(text.size(), begin + options.max_bytes));
  std::string out;
  if (begin > 0) out += "…";
  std::size_t at = begin;
  for (auto const& m : marked) {
    if (m.end > end) break;
    append_spaced(out, text.substr(at, m.begin - at));
    out += options.open;
    out += text.substr(m.begin, m.end - m.begin);
    out += options.close;
    at = m.end;
  }
  append_spaced(out, text.substr(at, end - at));
  if (end < text.size()) out += "…";
  return out;
}

}  // namespace posta::search::proto
