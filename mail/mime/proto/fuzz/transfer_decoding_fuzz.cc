// libFuzzer target: base64 and quoted-printable decoding of arbitrary bytes.
// Splitting the input into two chunks at any point (the first byte picks
// it) must not change the result, and decoding never grows the data.
#include "mail/mime/proto/transfer_decoding.hpp"

#include <cstdlib>
#include <string>
#include <string_view>

using namespace posta::mail::mime;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<char const*>(data) + 1, size - 1);
  auto at = static_cast<std::size_t>(data[0]) % (in.size() + 1);
  for (auto e : {transfer_encoding::base64, transfer_encoding::quoted_printable}) {
    auto whole = decode_transfer(e, in);
    transfer_decoder d(e);
    std::string split;
    d.feed(in.substr(0, at), split);
    d.feed(in.substr(at), split);
    d.finish(split);
    if (split != whole || whole.size() > in.size() || decoded_size(e, in) != whole.size()) std::abort();
  }
  return 0;
}
