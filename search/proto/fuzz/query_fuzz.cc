// libFuzzer target: the query parser on any bytes (bounded, never throws),
// and snippets of the input marked with the words it parsed.
#include "search/proto/query.hpp"
#include "search/proto/snippet.hpp"

#include <cstdlib>
#include <string_view>

using namespace posta::search::proto;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view in(reinterpret_cast<char const*>(data), size);
  auto q = parse_query(in);
  if (q) {
    auto words = positive_words(*q);
    if (words.size() > query_limits{}.max_words) std::abort();
    (void)make_snippet(in, words);
  }
  return 0;
}
