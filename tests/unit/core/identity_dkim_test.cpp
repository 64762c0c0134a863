// DKIM keys of domains (core/identity/dkim.hpp, core/util/crypto_rsa.hpp):
// the TXT record, the choice of selector, and the key pairs made.
#include "core/identity/dkim.hpp"
#include "core/util/base64.hpp"

#include <gtest/gtest.h>

namespace posta::identity {
namespace {

TEST(dkim_record, name_and_value) {
  EXPECT_EQ(dkim_record_name("posta202501", "example.test"), "posta202501._domainkey.example.test");
  EXPECT_EQ(dkim_record_value("MIIBIjAN"), "v=DKIM1; k=rsa; p=MIIBIjAN");
}

TEST(dkim_selector, month_then_numbered) {
  EXPECT_EQ(next_dkim_selector("202501", {}), "posta202501");
  EXPECT_EQ(next_dkim_selector("202502", {"posta202501"}), "posta202502");
  EXPECT_EQ(next_dkim_selector("202501", {"posta202501"}), "posta202501-2");
  EXPECT_EQ(next_dkim_selector("202501", {"posta202501-2", "posta202501"}), "posta202501-3");
  EXPECT_EQ(next_dkim_selector("202501", {"posta202501", "posta202501-3"}), "posta202501-2");
}

TEST(dkim_key_pair, rsa_2048) {
  auto pair = util::generate_rsa_key_blocking(2048);
  ASSERT_TRUE(pair) << pair.error().message();
  EXPECT_TRUE(pair->private_pem.starts_with("-----BEGIN PRIVATE KEY-----\n")) << pair->private_pem.substr(0, 40);
  // SubjectPublicKeyInfo of rsaEncryption with a 2048-bit modulus: 294 octets.
  EXPECT_EQ(pair->public_der.size(), 294u);
  EXPECT_TRUE(util::base64_encode(pair->public_der).starts_with("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"));
  auto other = util::generate_rsa_key_blocking(2048);
  ASSERT_TRUE(other);
  EXPECT_NE(other->public_der, pair->public_der);
}

TEST(dkim_key_pair, weak_sizes_are_refused) {
  EXPECT_FALSE(util::generate_rsa_key_blocking(1024));
  EXPECT_FALSE(util::generate_rsa_key_blocking(8192));
}

}  // namespace
}  // namespace posta::identity
