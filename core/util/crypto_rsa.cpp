// RSA key generation on OpenSSL 3: see crypto_rsa.hpp.
#include "core/util/crypto_rsa.hpp"

#include "core/util/crypto_hash.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

namespace posta::util {
namespace {

struct ossl_free {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
  void operator()(BIO* b) const { BIO_free(b); }
};

result<std::string> private_pem_of(EVP_PKEY* key) {
  std::unique_ptr<BIO, ossl_free> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return make_error(errc::internal, "cannot write the RSA private key");
  char* data = nullptr;
  auto const len = BIO_get_mem_data(bio.get(), &data);
  std::string out(data, static_cast<std::size_t>(len));
  OPENSSL_cleanse(data, static_cast<std::size_t>(len));
  return out;
}

result<std::string> public_der_of(EVP_PKEY* key) {
  int const len = i2d_PUBKEY(key, nullptr);
  if (len <= 0) return make_error(errc::internal, "cannot write the RSA public key");
  std::string out(static_cast<std::size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  if (i2d_PUBKEY(key, &p) != len) return make_error(errc::internal, "cannot write the RSA public key");
  return out;
}

}  // namespace

rsa_key_pair::~rsa_key_pair() { cleanse(private_pem); }

result<rsa_key_pair> generate_rsa_key_blocking(unsigned bits) {
  if (bits < 2048 || bits > 4096) return make_error(errc::invalid_argument, "RSA keys have 2048 to 4096 bits here");
  std::unique_ptr<EVP_PKEY, ossl_free> key(EVP_RSA_gen(bits));
  if (!key) return make_error(errc::internal, "RSA key generation failed");
  rsa_key_pair out;
  out.private_pem = POSTA_TRY(private_pem_of(key.get()));
  out.public_der = POSTA_TRY(public_der_of(key.get()));
  return out;
}

}  // namespace posta::util
