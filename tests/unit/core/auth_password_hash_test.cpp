// argon2id PHC hashing: known hashes from the reference library, round trips,
// refusals of absurd input and of malformed or oversized stored hashes.
#include "core/auth/password_hash.hpp"

#include <argon2.h>
#include <gtest/gtest.h>

#include <string>

namespace posta::auth {
namespace {

// Produced by the reference libargon2 (argon2id_hash_encoded), not by our
// formatter: password "correct horse battery staple", salt "posta-test-salt!".
constexpr std::string_view known_phc =
    "$argon2id$v=19$m=256,t=3,p=1$cG9zdGEtdGVzdC1zYWx0IQ$/rVnThPVJL0hWbv7KF42R8aLLGXCVMaHbxjFPGD7jPY";
constexpr std::string_view known_password = "correct horse battery staple";

// Small parameters so the tests stay fast; the defaults are tested once.
constexpr argon2_params fast{.memory_kib = 256, .iterations = 1, .parallelism = 1};

TEST(AuthPasswordHash, VerifiesAHashFromTheReferenceImplementation) {
  auto const ok = verify_password_blocking(known_password, known_phc);
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_TRUE(*ok);
  auto const wrong = verify_password_blocking("correct horse battery stapler", known_phc);
  ASSERT_TRUE(wrong);
  EXPECT_FALSE(*wrong);
}

TEST(AuthPasswordHash, WithSaltReproducesTheReferenceEncoding) {
  auto const phc = hash_password_with_salt_blocking(known_password, "posta-test-salt!",
                                                    argon2_params{.memory_kib = 256, .iterations = 3});
  ASSERT_TRUE(phc) << phc.error().message();
  EXPECT_EQ(*phc, known_phc);
}

TEST(AuthPasswordHash, RoundTripAndReferenceVerifierAgree) {
  auto const phc = hash_password_blocking("s3cret pässword", fast);
  ASSERT_TRUE(phc) << phc.error().message();
  EXPECT_TRUE(phc->starts_with("$argon2id$v=19$m=256,t=1,p=1$")) << *phc;
  EXPECT_EQ(argon2id_verify(phc->c_str(), "s3cret pässword", 16), ARGON2_OK);
  EXPECT_TRUE(verify_password_blocking("s3cret pässword", *phc).value());
  EXPECT_FALSE(verify_password_blocking("s3cret password", *phc).value());
  EXPECT_FALSE(verify_password_blocking("", *phc).value());
}

TEST(AuthPasswordHash, SaltsAreRandom) {
  auto const a = hash_password_blocking("same", fast);
  auto const b = hash_password_blocking("same", fast);
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
}

TEST(AuthPasswordHash, DefaultsAreTheDocumentedOnes) {
  auto const phc = hash_password_blocking("pencil");
  ASSERT_TRUE(phc);
  EXPECT_TRUE(phc->starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << *phc;
  EXPECT_FALSE(needs_rehash(*phc, argon2_params{}));
  EXPECT_TRUE(verify_password_blocking("pencil", *phc).value());
}

TEST(AuthPasswordHash, RefusesAbsurdPasswords) {
  std::string const longest(max_password_bytes, 'x');
  auto const ok = hash_password_blocking(longest, fast);
  ASSERT_TRUE(ok);
  EXPECT_TRUE(verify_password_blocking(longest, *ok).value());

  std::string const too_long(max_password_bytes + 1, 'x');
  auto const hashed = hash_password_blocking(too_long, fast);
  ASSERT_FALSE(hashed);
  EXPECT_EQ(hashed.error().code, make_error_code(errc::limit_exceeded));
  auto const verified = verify_password_blocking(too_long, known_phc);
  ASSERT_FALSE(verified);
  EXPECT_EQ(verified.error().code, make_error_code(errc::limit_exceeded));

  auto const empty = hash_password_blocking("", fast);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, make_error_code(errc::invalid_argument));
}

TEST(AuthPasswordHash, RefusesParametersOutOfRange) {
  EXPECT_FALSE(hash_password_blocking("x", argon2_params{.memory_kib = max_memory_kib + 1}));
  EXPECT_FALSE(hash_password_blocking("x", argon2_params{.memory_kib = 256, .iterations = 0}));
  EXPECT_FALSE(hash_password_blocking("x", argon2_params{.memory_kib = 256, .parallelism = 0}));
  EXPECT_FALSE(hash_password_blocking("x", argon2_params{.memory_kib = 256, .salt_bytes = 4}));
  EXPECT_FALSE(hash_password_with_salt_blocking("x", "short", fast));
}

TEST(AuthPasswordHash, RefusesMalformedOrHostileStoredHashes) {
  std::string_view const salt_hash = "$cG9zdGEtdGVzdC1zYWx0IQ$/rVnThPVJL0hWbv7KF42R8aLLGXCVMaHbxjFPGD7jPY";
  std::string const bad[] = {
      "",
      "plaintext",
      "$argon2i$v=19$m=256,t=3,p=1" + std::string(salt_hash),
      "$argon2id$v=16$m=256,t=3,p=1" + std::string(salt_hash),
      "$argon2id$m=256,t=3,p=1" + std::string(salt_hash),
      "$argon2id$v=19$m=256,t=3" + std::string(salt_hash),
      "$argon2id$v=19$t=3,m=256,p=1" + std::string(salt_hash),
      "$argon2id$v=19$m=0256,t=3,p=1" + std::string(salt_hash),
      "$argon2id$v=19$m=+256,t=3,p=1" + std::string(salt_hash),
      "$argon2id$v=19$m=4294967295,t=3,p=1" + std::string(salt_hash),   // 4 TiB
      "$argon2id$v=19$m=4294967296,t=3,p=1" + std::string(salt_hash),   // overflow
      "$argon2id$v=19$m=256,t=100000,p=1" + std::string(salt_hash),     // minutes of work
      "$argon2id$v=19$m=256,t=0,p=1" + std::string(salt_hash),
      "$argon2id$v=19$m=256,t=3,p=0" + std::string(salt_hash),
      "$argon2id$v=19$m=256,t=3,p=1$cG9zdGEtdGVzdC1zYWx0IQ==$/rVnThPVJL0hWbv7KF42R8aLLGXCVMaHbxjFPGD7jPY",
      "$argon2id$v=19$m=256,t=3,p=1$cG9zdA$/rVnThPVJL0hWbv7KF42R8aLLGXCVMaHbxjFPGD7jPY",  // 4-byte salt
      "$argon2id$v=19$m=256,t=3,p=1$cG9zdGEtdGVzdC1zYWx0IQ$/rVnThPVJL0",                 // 8-byte hash
      "$argon2id$v=19$m=256,t=3,p=1$cG9zdGEtdGVzdC1zYWx0IQ$/rVnThPVJL0hWbv7KF42R8aLLGXCVMaHbxjFPGD7jPY$",
      "$argon2id$v=19$m=256,t=3,p=1$cG9zdGEtdGVzdC1zYWx0IQ$/rVn!hPVJL0hWbv7KF42R8aLLGXCVMaHbxjFPGD7jPY",
  };
  for (auto const& phc : bad) {
    auto const r = verify_password_blocking(known_password, phc);
    EXPECT_FALSE(r) << "accepted: " << phc;
    if (!r) {
      EXPECT_EQ(r.error().code, make_error_code(errc::invalid_argument)) << phc;
    }
    EXPECT_TRUE(needs_rehash(phc, argon2_params{})) << phc;
  }
}

TEST(AuthPasswordHash, NeedsRehashWhenAnyParameterDiffers) {
  argon2_params const same{.memory_kib = 256, .iterations = 3, .parallelism = 1};
  EXPECT_FALSE(needs_rehash(known_phc, same));
  EXPECT_TRUE(needs_rehash(known_phc, argon2_params{}));
  argon2_params more_memory = same;
  more_memory.memory_kib = 512;
  EXPECT_TRUE(needs_rehash(known_phc, more_memory));
  argon2_params more_passes = same;
  more_passes.iterations = 4;
  EXPECT_TRUE(needs_rehash(known_phc, more_passes));
  argon2_params longer_hash = same;
  longer_hash.hash_bytes = 64;
  EXPECT_TRUE(needs_rehash(known_phc, longer_hash));
}

}  // namespace
}  // namespace posta::auth
