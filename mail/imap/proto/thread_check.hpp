// Structural check of a THREAD response body against the thread-list
// grammar of RFC 5256 4, for the unit tests and the fuzz target: balanced
// parentheses, no empty list, numbers only inside lists, and every message
// exactly once.
#pragma once

#include <cstdint>
#include <set>
#include <string_view>

namespace posta::mail::imap::proto {

inline bool is_well_formed_thread_list(std::string_view threads, std::set<std::uint32_t> ids) {
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  int depth = 0;
  char previous = 0;
  for (std::size_t i = 0; i < threads.size();) {
    char c = threads[i];
    if (c == '(' && !is_digit(previous)) {
      ++depth;
    } else if (c == ')' && depth > 0 && previous != '(' && previous != ' ') {
      --depth;
    } else if (c == ' ' && is_digit(previous)) {
    } else if (is_digit(c) && depth > 0) {
      std::uint32_t id = 0;
      for (; i < threads.size() && is_digit(threads[i]); ++i)
        id = id * 10 + static_cast<std::uint32_t>(threads[i] - '0');
      if (ids.erase(id) != 1) return false;
      previous = '0';
      continue;
    } else {
      return false;
    }
    previous = c;
    ++i;
  }
  return depth == 0 && ids.empty();
}

}  // namespace posta::mail::imap::proto
