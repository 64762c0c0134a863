// Random bytes, tokens and nonces: sizes, alphabets, distinctness, limits.
#include "core/util/crypto_random.hpp"

#include "core/util/base64.hpp"

#include <gtest/gtest.h>

#include <set>

namespace posta::util {
namespace {

TEST(UtilCryptoRandom, BytesHaveTheRequestedLengthAndDiffer) {
  auto const a = random_bytes(32);
  auto const b = random_bytes(32);
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_EQ(a->size(), 32u);
  EXPECT_NE(*a, *b);
  auto const empty = random_bytes(0);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(UtilCryptoRandom, RefusesHugeRequests) {
  auto const r = random_bytes(max_random_request + 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, make_error_code(errc::invalid_argument));
  EXPECT_TRUE(random_bytes(max_random_request));
}

TEST(UtilCryptoRandom, TokensAreUnpaddedBase64UrlOfTheEntropy) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto const token = random_token();
    ASSERT_TRUE(token);
    EXPECT_EQ(token->size(), 43u);  // 32 bytes
    EXPECT_EQ(token->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
    auto const raw = base64_decode(*token, base64_options{.alphabet = base64_alphabet::url,
                                                          .padding = base64_padding::none});
    ASSERT_TRUE(raw);
    EXPECT_EQ(raw->size(), 32u);
    seen.insert(*token);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(UtilCryptoRandom, NoncesArePrintableWithoutComma) {
  auto const nonce = random_nonce();
  ASSERT_TRUE(nonce);
  EXPECT_EQ(nonce->size(), 24u);
  for (char c : *nonce) {
    EXPECT_TRUE(c > 0x20 && c < 0x7f && c != ',') << c;
  }
  EXPECT_NE(*nonce, *random_nonce());
}

}  // namespace
}  // namespace posta::util
