// Base64 / base64url (RFC 4648 §10 vectors) and the strict decoder's refusals.
#include "core/util/base64.hpp"

#include <gtest/gtest.h>

#include <random>

namespace posta::util {
namespace {

struct vector_case {
  std::string_view plain;
  std::string_view padded;
  std::string_view unpadded;
};

constexpr vector_case rfc4648_vectors[] = {
    {"", "", ""},
    {"f", "Zg==", "Zg"},
    {"fo", "Zm8=", "Zm8"},
    {"foo", "Zm9v", "Zm9v"},
    {"foob", "Zm9vYg==", "Zm9vYg"},
    {"fooba", "Zm9vYmE=", "Zm9vYmE"},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
};

TEST(UtilBase64, EncodesRfc4648Vectors) {
  for (auto const& v : rfc4648_vectors) {
    EXPECT_EQ(base64_encode(v.plain), v.padded) << v.plain;
    EXPECT_EQ(base64_encode(v.plain, base64_alphabet::standard, base64_padding::none), v.unpadded) << v.plain;
  }
}

TEST(UtilBase64, DecodesRfc4648Vectors) {
  for (auto const& v : rfc4648_vectors) {
    auto const padded = base64_decode(v.padded);
    ASSERT_TRUE(padded) << v.padded;
    EXPECT_EQ(*padded, v.plain);
    auto const unpadded = base64_decode(v.unpadded, base64_options{.padding = base64_padding::none});
    ASSERT_TRUE(unpadded) << v.unpadded;
    EXPECT_EQ(*unpadded, v.plain);
  }
}

TEST(UtilBase64, UrlAlphabetUsesDashAndUnderscore) {
  std::string const bytes = "\xfb\xff\xfe";
  EXPECT_EQ(base64_encode(bytes), "+//+");
  EXPECT_EQ(base64_encode(bytes, base64_alphabet::url), "-__-");
  auto const decoded = base64_decode("-__-", base64_options{.alphabet = base64_alphabet::url});
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, bytes);
  EXPECT_FALSE(base64_decode("-__-"));                                                 // url chars in standard
  EXPECT_FALSE(base64_decode("+//+", base64_options{.alphabet = base64_alphabet::url}));  // and the reverse
}

TEST(UtilBase64, RefusesMalformedInput) {
  std::string_view const bad[] = {
      "Z",          // one character cannot encode a byte
      "Zg",         // padding required
      "Zg=",        // incomplete padding
      "Zg===",      // too much padding
      "====",       // only padding
      "=",          //
      "Zg==Zg==",   // padding inside the data
      "Zm=v",       // '=' in the middle
      "Zh==",       // non-zero trailing bits (non-canonical "f")
      "Zm9=",       // non-zero trailing bits (non-canonical "fo")
      "Zm9v!A==",   // outside the alphabet
      "Zm9v\x80" "A==",
      std::string_view("Zm\0v", 4),
      "Zm9 v",      // whitespace refused by default
      "Zm9v\r\n",
  };
  for (auto const text : bad) {
    auto const r = base64_decode(text);
    EXPECT_FALSE(r) << "accepted: " << text;
    if (!r) {
      EXPECT_EQ(r.error().code, make_error_code(errc::invalid_argument));
    }
  }
}

TEST(UtilBase64, UnpaddedModeRefusesPaddingAndImpossibleLengths) {
  base64_options const none{.padding = base64_padding::none};
  EXPECT_FALSE(base64_decode("Zg==", none));
  EXPECT_FALSE(base64_decode("Zm9vY", none));  // 5 chars: 4n+1 cannot happen
  EXPECT_FALSE(base64_decode("Zh", none));     // non-zero trailing bits
}

TEST(UtilBase64, WhitespacePolicyIgnoreSkipsSpaceTabCrLf) {
  auto const r = base64_decode(" Zm9v\r\nYm\tFy \n", base64_whitespace::ignore);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "foobar");
  auto const only_space = base64_decode(" \r\n", base64_whitespace::ignore);
  ASSERT_TRUE(only_space);
  EXPECT_EQ(*only_space, "");
  EXPECT_FALSE(base64_decode("Zm9v\vYmFy", base64_whitespace::ignore));  // VT is not whitespace here
}

TEST(UtilBase64, RoundTripsEveryLengthAndByte) {
  std::mt19937 rng(42);
  for (std::size_t len = 0; len < 300; ++len) {
    std::string bytes(len, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng() & 0xff);
    for (auto alphabet : {base64_alphabet::standard, base64_alphabet::url}) {
      for (auto padding : {base64_padding::required, base64_padding::none}) {
        std::string const text = base64_encode(bytes, alphabet, padding);
        auto const back = base64_decode(text, base64_options{.alphabet = alphabet, .padding = padding});
        ASSERT_TRUE(back) << len;
        EXPECT_EQ(*back, bytes);
      }
    }
  }
}

}  // namespace
}  // namespace posta::util
