// libFuzzer target: the CRLF normaliser (RFC 5321 2.3.8): split-independent,
// and its output has no bare CR or LF.
#include "mail/smtp/proto/crlf_normaliser.hpp"

#include <cstdlib>
#include <string>
#include <string_view>

using namespace posta::mail::smtp::proto;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<char const*>(data) + 1, size - 1);
  std::size_t split = data[0] % (in.size() + 1);
  std::string parts;
  crlf_normaliser n([&](std::string_view p) { parts.append(p); });
  n.feed(in.substr(0, split));
  n.feed(in.substr(split));
  n.finish();
  std::string whole = normalise_line_endings(in);
  if (whole != parts) std::abort();
  for (std::size_t i = 0; i < whole.size(); ++i) {
    bool cr_ok = whole[i] != '\r' || (i + 1 < whole.size() && whole[i + 1] == '\n');
    bool lf_ok = whole[i] != '\n' || (i > 0 && whole[i - 1] == '\r');
    if (!cr_ok || !lf_ok) std::abort();
  }
  return 0;
}
