// Simple case folding over UTF-8 (RFC 3629) with the generated run table.
#include "mail/mime/proto/case_fold.hpp"

#include "mail/mime/proto/utf8_codec.hpp"

#include <algorithm>
#include <iterator>

namespace posta::mail::mime {

namespace {

struct fold_run {
  std::uint32_t first;
  std::uint32_t last;
  std::int32_t delta;
  std::uint32_t stride;
};

constexpr fold_run fold_runs[] = {
#include "mail/mime/proto/case_fold_table.inc"
};

}  // namespace

char32_t fold_code_point(char32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 32;  // the common case, without a search
  if (cp < 0xB5) return cp;
  auto it = std::upper_bound(std::begin(fold_runs), std::end(fold_runs), cp,
                             [](char32_t c, fold_run const& r) { return c < r.first; });
  if (it == std::begin(fold_runs)) return cp;
  auto const& r = *std::prev(it);
  if (cp > r.last || (cp - r.first) % r.stride != 0) return cp;
  return static_cast<char32_t>(static_cast<std::int64_t>(cp) + r.delta);
}

std::string fold_case(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size();) {
    char32_t cp = 0;
    auto n = decode_utf8_at(utf8, i, cp);
    if (n == 0) {
      out.push_back(utf8[i++]);
      continue;
    }
    append_utf8(fold_code_point(cp), out);
    i += n;
  }
  return out;
}

bool substring_matcher::matches(std::string_view folded_haystack) const {
  return folded_haystack.find(needle_) != std::string_view::npos;
}

}  // namespace posta::mail::mime
