// libFuzzer target: parse_message on arbitrary bytes. It must never fail
// except on size, its offsets must nest inside the input, and the stored
// (JSON) form must read back to the same structure.
#include "mail/mime/parse_message.hpp"
#include "mail/mime/structure_json.hpp"

#include <cstdlib>
#include <string_view>

using namespace posta::mail::mime;

namespace {

void check_part(body_part const& p, std::uint64_t begin, std::uint64_t end) {
  if (p.header_start < begin || p.header_start > p.body_start || p.body_start > p.body_end || p.body_end > end)
    std::abort();
  for (auto const& child : p.children) check_part(child, p.body_start, p.body_end);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view raw(reinterpret_cast<char const*>(data), size);
  auto parsed = parse_message(raw);
  if (!parsed) std::abort();  // only oversize input may fail, and fuzz inputs are small
  check_part(parsed->root, 0, size);
  auto back = from_json_text(to_json_text(*parsed));
  if (!back || !(*back == *parsed)) std::abort();
  return 0;
}
