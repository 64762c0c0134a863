// Joining string pieces in one allocation. Also sidesteps g++ 12's false
// -Wrestrict warnings on `"<" + std::string(…) + ">"` in optimised builds.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace posta::util {

inline std::string concat(std::initializer_list<std::string_view> parts) {
  std::size_t size = 0;
  for (auto p : parts) size += p.size();
  std::string out;
  out.reserve(size);
  for (auto p : parts) out.append(p);
  return out;
}

}  // namespace posta::util
