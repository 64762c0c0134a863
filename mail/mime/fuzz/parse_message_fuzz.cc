// libFuzzer target: parse_message on arbitrary bytes. It must never fail
// except on size, its offsets must nest inside the input, the stored (JSON)
// form must read back to the same structure, and its cost must stay linear:
// the octets scanned are reported (POSTA_FUZZ_REPORT=1 prints them) and
// bounded by the scan budget plus one pass for leaf line counting.
#include "mail/mime/parse_message.hpp"
#include "mail/mime/structure_json.hpp"

#include <cstdio>
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
  parse_limits limits;
  parse_cost cost;
  auto parsed = parse_message(raw, limits, &cost);
  if (!parsed) std::abort();  // only oversize input may fail, and fuzz inputs are small
  if (cost.scanned_octets > (limits.max_scan_passes + 2) * size + 64 * 1024) std::abort();
  if (cost.parts > 2 * (limits.max_parts + limits.max_depth)) std::abort();
  static bool const report = std::getenv("POSTA_FUZZ_REPORT") != nullptr;
  if (report) std::fprintf(stderr, "parse cost: %zu octets in, %llu scanned, %zu parts\n", size,
                           static_cast<unsigned long long>(cost.scanned_octets), cost.parts);
  check_part(parsed->root, 0, size);
  auto back = from_json_text(to_json_text(*parsed));
  if (!back || !(*back == *parsed)) std::abort();
  return 0;
}
