// libFuzzer target: xtext (RFC 3461 4) decode, and encode/decode round trip.
#include "mail/smtp/proto/xtext.hpp"

#include <cstdlib>
#include <string_view>

using namespace posta::mail::smtp::proto;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view in(reinterpret_cast<char const*>(data), size);
  (void)xtext_decode(in);
  auto back = xtext_decode(xtext_encode(in));
  if (!back || *back != in) std::abort();
  return 0;
}
