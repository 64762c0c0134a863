// The secret box (core/util/crypto_secret_box.hpp): what it seals opens with
// the same secret, purpose and associated data, and with nothing else.
#include "core/util/crypto_secret_box.hpp"

#include <gtest/gtest.h>

namespace posta::util {
namespace {

constexpr std::string_view secret = "0123456789abcdef0123456789abcdef0123456789abcdef";
constexpr std::string_view purpose = "posta dkim private keys v1";
constexpr std::string_view ad = "dkim example.test posta202501";
constexpr std::string_view key = "-----BEGIN PRIVATE KEY-----\nMIIEvQ…\n-----END PRIVATE KEY-----\n";

bool is_refused(result<std::string> const& r) { return !r && r.error().code == errc::permission_denied; }

TEST(secret_box, round_trip) {
  secret_box box(secret, purpose);
  auto sealed = box.seal(ad, key);
  ASSERT_TRUE(sealed) << sealed.error().message();
  EXPECT_EQ(sealed->size(), 1 + 12 + key.size() + 16);
  EXPECT_EQ(sealed->find("PRIVATE KEY"), std::string::npos);
  auto opened = box.open(ad, *sealed);
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(*opened, key);
  // Another box from the same secret and purpose (a restart) opens it too.
  EXPECT_EQ(*secret_box(secret, purpose).open(ad, *sealed), key);
}

TEST(secret_box, empty_plaintext_round_trips) {
  secret_box box(secret, purpose);
  auto sealed = box.seal(ad, "");
  ASSERT_TRUE(sealed);
  EXPECT_EQ(*box.open(ad, *sealed), "");
}

TEST(secret_box, every_seal_has_its_own_nonce) {
  secret_box box(secret, purpose);
  EXPECT_NE(*box.seal(ad, key), *box.seal(ad, key));
}

TEST(secret_box, other_associated_data_does_not_open) {
  secret_box box(secret, purpose);
  auto sealed = *box.seal(ad, key);
  EXPECT_TRUE(is_refused(box.open("dkim example.test posta202502", sealed)));
  EXPECT_TRUE(is_refused(box.open("dkim other.test posta202501", sealed)));
  EXPECT_TRUE(is_refused(box.open("", sealed)));
}

TEST(secret_box, tampered_bytes_do_not_open) {
  secret_box box(secret, purpose);
  auto const sealed = *box.seal(ad, key);
  for (std::size_t at : {std::size_t(1), std::size_t(5), std::size_t(13), sealed.size() / 2, sealed.size() - 1}) {
    auto bad = sealed;
    bad[at] = static_cast<char>(bad[at] ^ 0x01);
    EXPECT_TRUE(is_refused(box.open(ad, bad))) << "flipped byte " << at;
  }
  EXPECT_TRUE(is_refused(box.open(ad, sealed.substr(0, sealed.size() - 1))));
  EXPECT_TRUE(is_refused(box.open(ad, sealed + "x")));
  EXPECT_TRUE(is_refused(box.open(ad, sealed.substr(0, 20))));
  EXPECT_TRUE(is_refused(box.open(ad, "")));
  auto other_version = sealed;
  other_version[0] = '\x02';
  EXPECT_TRUE(is_refused(box.open(ad, other_version)));
}

TEST(secret_box, another_secret_or_purpose_does_not_open) {
  auto const sealed = *secret_box(secret, purpose).seal(ad, key);
  EXPECT_TRUE(is_refused(secret_box("another server secret of enough length", purpose).open(ad, sealed)));
  EXPECT_TRUE(is_refused(secret_box(secret, "another purpose").open(ad, sealed)));
}

TEST(secret_box, no_secret_seals_nothing) {
  secret_box box("", purpose);
  EXPECT_FALSE(box.seal(ad, key));
}

}  // namespace
}  // namespace posta::util
