// libFuzzer target: the pure text helpers of the search text on arbitrary
// bytes. Case folding is idempotent (Unicode's stability guarantee) and at
// most 3/2 as long (2-byte U+023A folds to 3 bytes, ASCII stays ASCII); HTML
// reduction never grows the text (a reference is longer than its UTF-8),
// and a folded needle always finds itself.
#include "mail/mime/proto/case_fold.hpp"
#include "mail/mime/proto/html_text.hpp"

#include <cstdlib>
#include <string>
#include <string_view>

using namespace posta::mail::mime;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view in(reinterpret_cast<char const*>(data), size);
  auto folded = fold_case(in);
  if (fold_case(folded) != folded) std::abort();
  if (folded.size() > in.size() * 3 / 2 + 1) std::abort();
  auto text = html_to_text(in);
  if (text.size() > in.size()) std::abort();
  if (!substring_matcher(in).matches(fold_case(in))) std::abort();
  return 0;
}
