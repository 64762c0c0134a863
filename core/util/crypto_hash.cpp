// Hashes and HMAC on OpenSSL 3's EVP interface: see crypto_hash.hpp.
#include "core/util/crypto_hash.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace posta::util {
namespace {

EVP_MD const* md(hash_algorithm a) { return a == hash_algorithm::sha1 ? EVP_sha1() : EVP_sha256(); }

unsigned char const* bytes(std::string_view s) { return reinterpret_cast<unsigned char const*>(s.data()); }

}  // namespace

std::size_t digest_size(hash_algorithm a) { return static_cast<std::size_t>(EVP_MD_get_size(md(a))); }

std::string digest(hash_algorithm a, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md(a), nullptr);
  return std::string(reinterpret_cast<char const*>(out), len);
}

std::string hmac(hash_algorithm a, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(md(a), key.data(), static_cast<int>(key.size()), bytes(data), data.size(), out, &len);
  return std::string(reinterpret_cast<char const*>(out), len);
}

result<std::string> pbkdf2_hmac(hash_algorithm a, std::string_view password, std::string_view salt,
                                std::uint32_t iterations, std::size_t length) {
  std::string out(length, '\0');
  int const ok = PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), bytes(salt),
                                   static_cast<int>(salt.size()), static_cast<int>(iterations), md(a),
                                   static_cast<int>(out.size()), reinterpret_cast<unsigned char*>(out.data()));
  if (ok != 1) return make_error(errc::internal, "PBKDF2 failed");
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void cleanse(std::string& secret) { OPENSSL_cleanse(secret.data(), secret.size()); }

struct sha256_stream::impl {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~impl() { EVP_MD_CTX_free(ctx); }
};

sha256_stream::sha256_stream() : impl_(std::make_unique<impl>()) {
  EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr);
}

sha256_stream::~sha256_stream() = default;

void sha256_stream::update(std::string_view data) { EVP_DigestUpdate(impl_->ctx, data.data(), data.size()); }

std::string sha256_stream::finish() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx, out, &len);
  return std::string(reinterpret_cast<char const*>(out), len);
}

}  // namespace posta::util
