// Test helper: writes messages with "\n" in the source and CRLF on the wire.
#pragma once

#include <string>
#include <string_view>

namespace posta::test {

inline std::string crlf(std::string_view lf) {
  std::string out;
  for (char c : lf) {
    if (c == '\n') out.push_back('\r');
    out.push_back(c);
  }
  return out;
}

}  // namespace posta::test
