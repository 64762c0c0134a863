// The small shared helpers: ASCII case mapping (no locale), hex, and the
// hashes behind SCRAM and the blob store (FIPS 180-4 and RFC 4231 vectors).
#include "core/util/ascii.hpp"
#include "core/util/crypto_hash.hpp"
#include "core/util/hex.hpp"

#include <gtest/gtest.h>

namespace posta::util {
namespace {

TEST(util_ascii, maps_only_ascii_letters) {
  EXPECT_EQ(ascii_lowercase("MiXeD-Case.ORG 123"), "mixed-case.org 123");
  EXPECT_EQ(ascii_uppercase("post"), "POST");
  EXPECT_EQ(ascii_lowercase("\xC3\x9C"), "\xC3\x9C");  // UTF-8 bytes stay as they are
  EXPECT_TRUE(ascii_iequals("Content-Length", "content-LENGTH"));
  EXPECT_FALSE(ascii_iequals("abc", "abd"));
  EXPECT_FALSE(ascii_iequals("abc", "ab"));
}

TEST(util_hex, lower_and_upper) {
  EXPECT_EQ(hex_encode(std::string("\x00\x0f\xa5\xff", 4)), "000fa5ff");
  std::string out;
  append_hex(out, 0xab, true);
  EXPECT_EQ(out, "AB");
}

TEST(util_crypto_hash, known_vectors) {
  EXPECT_EQ(hex_encode(digest(hash_algorithm::sha256, "abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex_encode(digest(hash_algorithm::sha1, "abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  // RFC 4231 test case 2.
  EXPECT_EQ(hex_encode(hmac(hash_algorithm::sha256, "Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  sha256_stream s;
  s.update("a");
  s.update("bc");
  EXPECT_EQ(s.finish(), digest(hash_algorithm::sha256, "abc"));
  EXPECT_TRUE(constant_time_equal("same", "same"));
  EXPECT_FALSE(constant_time_equal("same", "sane"));
  EXPECT_FALSE(constant_time_equal("same", "same!"));
  auto key = pbkdf2_hmac(hash_algorithm::sha1, "password", "salt", 1, 20);  // RFC 6070 case 1
  ASSERT_TRUE(key);
  EXPECT_EQ(hex_encode(*key), "0c60c80f961f0e71f3a9b524af6012062fe037a6");
}

}  // namespace
}  // namespace posta::util
