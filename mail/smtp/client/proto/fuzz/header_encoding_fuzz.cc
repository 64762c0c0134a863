// libFuzzer target: RFC 2047 encoding of a header block must not crash and
// must be idempotent (what it rewrote is ASCII, what it left it leaves); the
// DATA encoder's output must read back through the server's DATA decoder.
#include "mail/smtp/client/proto/data_encoder.hpp"
#include "mail/smtp/client/proto/header_encoding.hpp"
#include "mail/smtp/proto/crlf_normaliser.hpp"
#include "mail/smtp/proto/data_decoder.hpp"

#include <cstdlib>
#include <string>
#include <string_view>

using namespace posta::mail::smtp::client::proto;
namespace sp = posta::mail::smtp::proto;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view in(reinterpret_cast<char const*>(data), size);
  auto once = encode_utf8_headers(in);
  if (once) {
    auto twice = encode_utf8_headers(once->header);
    if (!twice || twice->header != once->header) std::abort();
  }
  auto wire = encode_data(in);
  std::string back;
  sp::data_decoder d(UINT64_MAX, [&](std::string_view p) { back.append(p); });
  auto progress = d.feed(wire);
  if (!progress.done || progress.consumed != wire.size() || d.has_bare_line_end()) std::abort();
  auto expected = sp::normalise_line_endings(in);
  if (!expected.empty() && !expected.ends_with("\r\n")) expected += "\r\n";
  if (back != expected) std::abort();
  return 0;
}
