// libFuzzer target: the command line splitter (RFC 5321 4.5.3.1.4). The first
// byte chooses a chunk size; lines must never exceed the bound.
#include "mail/smtp/proto/line_splitter.hpp"

#include <algorithm>
#include <cstdlib>
#include <string_view>

using namespace posta::mail::smtp::proto;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  if (size == 0) return 0;
  std::size_t step = data[0] % 16 + 1;
  std::string_view in(reinterpret_cast<char const*>(data) + 1, size - 1);
  line_splitter s(64);
  while (!in.empty()) {
    std::string_view chunk = in.substr(0, std::min(step, in.size()));
    in.remove_prefix(chunk.size());
    while (!chunk.empty()) {
      auto ev = s.next(chunk);
      if (ev.consumed == 0 || ev.consumed > chunk.size()) std::abort();
      if (ev.what == line_splitter::kind::line && ev.line.size() > 62) std::abort();
      if (s.buffered() > 63) std::abort();
      chunk.remove_prefix(ev.consumed);
    }
  }
  return 0;
}
