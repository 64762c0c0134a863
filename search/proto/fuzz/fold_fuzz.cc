// libFuzzer target: folding and word splitting of any bytes; folding is
// idempotent and every word lies inside the input.
#include "search/proto/fold.hpp"

#include <cstdlib>
#include <string_view>

using namespace posta::search::proto;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view in(reinterpret_cast<char const*>(data), size);
  auto once = fold(in);
  if (fold(once) != once) std::abort();
  for_each_word(in, [&](word const& w) {
    if (w.begin >= w.end || w.end > in.size() || w.folded.empty() || w.folded.size() > max_word_bytes) std::abort();
    return true;
  });
  return 0;
}
