// libFuzzer target: the RETR/TOP encoder. Whatever the message, the output
// never contains a line that is a lone "." before the end, ends with the
// terminating dot, and does not depend on how the input is split.
#include "mail/pop3/proto/message_encoder.hpp"

#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

using posta::mail::pop3::proto::message_encoder;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  if (size == 0) return 0;
  std::optional<std::uint32_t> top;
  if (data[0] % 3 != 0) top = data[0] % 7;
  std::string_view in(reinterpret_cast<char const*>(data) + 1, size - 1);
  message_encoder whole(top), split(top);
  std::string a, b;
  whole.feed(in, a);
  whole.finish(a);
  std::size_t at = in.size() / 2;
  split.feed(in.substr(0, at), b);
  split.feed(in.substr(at), b);
  split.finish(b);
  if (a != b) std::abort();
  if (a.size() < 3 || a.compare(a.size() - 3, 3, ".\r\n") != 0) std::abort();
  // A lone "." line may only be the terminator.
  if (a.find("\r\n.\r\n") != std::string::npos && a.find("\r\n.\r\n") != a.size() - 5) std::abort();
  if (a.rfind(".\r\n", 0) == 0 && a.size() != 3) std::abort();
  return 0;
}
