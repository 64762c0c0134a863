// libFuzzer target: the DATA decoder (RFC 5321 4.5.2). The output must not
// depend on how the input is split, and never exceeds the bound.
#include "mail/smtp/proto/data_decoder.hpp"

#include <cstdlib>
#include <string>
#include <string_view>

using namespace posta::mail::smtp::proto;

namespace {
struct result {
  std::string out;
  std::size_t consumed = 0;
  bool done = false;
};

result decode(std::string_view in, std::size_t split, std::uint64_t max) {
  result r;
  data_decoder d(max, [&](std::string_view p) { r.out.append(p); });
  for (std::string_view part : {in.substr(0, split), in.substr(split)}) {
    if (d.is_done()) break;
    r.consumed += d.feed(part).consumed;
  }
  r.done = d.is_done();
  if (r.out.size() > max) std::abort();
  return r;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  if (size < 2) return 0;
  std::uint64_t max = data[0] % 64;
  std::string_view in(reinterpret_cast<char const*>(data) + 2, size - 2);
  std::size_t split = in.empty() ? 0 : data[1] % (in.size() + 1);
  auto whole = decode(in, in.size(), max);
  auto parts = decode(in, split, max);
  if (whole.out != parts.out || whole.consumed != parts.consumed || whole.done != parts.done)
    std::abort();
  return 0;
}
