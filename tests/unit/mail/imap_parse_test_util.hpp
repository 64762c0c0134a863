// Helpers of the IMAP command grammar tests: parse a command and get its
// typed value, or its BAD text.
#pragma once

#include "mail/imap/proto/parse_command.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace posta::mail::imap::proto::test {

template <class T>
T parse_as(std::string_view text, parse_options const& options = {}) {
  auto p = parse_command(text, options);
  EXPECT_TRUE(p.ok()) << text << " -> " << (p.ok() ? "" : p.error());
  if (!p.ok()) return T{};
  auto const* v = std::get_if<T>(&p.cmd());
  EXPECT_NE(v, nullptr) << text << ": other command type";
  return v ? *v : T{};
}

// The BAD text, or "" (with a failure) when the command parsed.
inline std::string bad(std::string_view text, parse_options const& options = {}) {
  auto p = parse_command(text, options);
  EXPECT_FALSE(p.ok()) << text;
  return p.ok() ? std::string() : p.error();
}

inline void expect_all_bad(std::initializer_list<std::string_view> texts, parse_options const& options = {}) {
  for (auto t : texts) {
    auto p = parse_command(t, options);
    EXPECT_FALSE(p.ok()) << t;
    if (!p.ok()) {
      EXPECT_FALSE(p.error().empty()) << t;
    }
  }
}

}  // namespace posta::mail::imap::proto::test
