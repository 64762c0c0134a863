// libFuzzer target: the pure text helpers of the search text on arbitrary
// bytes. Case folding is idempotent (Unicode's stability guarantee) and
// keeps the number of code points; HTML reduction never grows the text
// by more than its references can (3 bytes of UTF-8 per 3-byte "&#1;"...).
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
  if (text.size() > in.size() * 3) std::abort();
  if (!substring_matcher(in).matches(fold_case(in))) std::abort();
  return 0;
}
