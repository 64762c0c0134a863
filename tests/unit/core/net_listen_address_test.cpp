// Tests of listener address parsing ("host:port" strings from configuration).
#include "core/net/listen_address.hpp"

#include <gtest/gtest.h>

namespace posta::net {
namespace {

struct good_case {
  char const* text;
  char const* address;  // nullptr: off
  unsigned port;
};

TEST(net_listen_address, accepted_forms) {
  good_case const cases[] = {
      {"", nullptr, 0},
      {"0", nullptr, 0},
      {"127.0.0.1:2525", "127.0.0.1", 2525},
      {"0.0.0.0:25", "0.0.0.0", 25},
      {"[::1]:25", "::1", 25},
      {"[::]:993", "::", 993},
      {"*:143", "::", 143},
      {":110", "::", 110},
      {"2525", "::", 2525},
      {"localhost:5222", "127.0.0.1", 5222},
      {"127.0.0.1:0", "127.0.0.1", 0},
      {"[fe80::1]:65535", "fe80::1", 65535},
  };
  for (auto const& c : cases) {
    auto r = parse_listen_address(c.text);
    ASSERT_TRUE(r.has_value()) << c.text << ": " << r.error().message();
    if (c.address == nullptr) {
      EXPECT_FALSE(r->has_value()) << c.text;
      continue;
    }
    ASSERT_TRUE(r->has_value()) << c.text;
    EXPECT_EQ((*r)->address().to_string(), c.address) << c.text;
    EXPECT_EQ((*r)->port(), c.port) << c.text;
  }
}

struct bad_case {
  char const* text;
  char const* message_part;
};

TEST(net_listen_address, refused_forms_say_why) {
  bad_case const cases[] = {
      {"127.0.0.1", "missing ':port'"},
      {"127.0.0.1:", "port must be a number"},
      {"127.0.0.1:x", "port must be a number"},
      {"127.0.0.1:65536", "at most 65535"},
      {"127.0.0.1:-1", "port must be a number"},
      {"::1:25", "[addr]:port"},
      {"[::1:25", "missing ']'"},
      {"[1.2.3.4]:25", "IPv6"},
      {"mail.example.org:25", "host must be"},
      {"300.1.1.1:25", "host must be"},
      {"127.0.0.1:25 ", "port must be a number"},
  };
  for (auto const& c : cases) {
    auto r = parse_listen_address(c.text);
    ASSERT_FALSE(r.has_value()) << c.text;
    EXPECT_EQ(r.error().code, make_error_code(errc::invalid_argument)) << c.text;
    EXPECT_NE(r.error().message().find(c.message_part), std::string::npos)
        << c.text << " -> " << r.error().message();
    EXPECT_NE(r.error().message().find(c.text), std::string::npos) << c.text;
  }
}

}  // namespace
}  // namespace posta::net
