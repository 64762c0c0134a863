// HKDF-SHA256 and AES-256-GCM on OpenSSL 3's EVP interface: see crypto_secret_box.hpp.
#include "core/util/crypto_secret_box.hpp"

#include "core/util/crypto_hash.hpp"
#include "core/util/crypto_random.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <memory>

namespace posta::util {
namespace {

constexpr char version = '\x01';
constexpr std::size_t key_octets = 32;
constexpr std::size_t nonce_octets = 12;  // the GCM nonce of SP 800-38D 8.2.2 (random)
constexpr std::size_t tag_octets = 16;

struct kdf_free {
  void operator()(EVP_KDF* k) const { EVP_KDF_free(k); }
  void operator()(EVP_KDF_CTX* c) const { EVP_KDF_CTX_free(c); }
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

unsigned char* writable(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }
unsigned char const* bytes(std::string_view s) { return reinterpret_cast<unsigned char const*>(s.data()); }

// RFC 5869 with an empty salt (the secret is already uniformly random).
std::string hkdf_sha256(std::string_view secret, std::string_view info) {
  std::unique_ptr<EVP_KDF, kdf_free> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!kdf) return {};
  std::unique_ptr<EVP_KDF_CTX, kdf_free> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return {};
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(secret.data()), secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size()),
      OSSL_PARAM_construct_end()};
  std::string key(key_octets, '\0');
  if (EVP_KDF_derive(ctx.get(), writable(key), key.size(), params) != 1) return {};
  return key;
}

using cipher_ctx = std::unique_ptr<EVP_CIPHER_CTX, kdf_free>;

cipher_ctx gcm_context(std::string const& key, std::string_view nonce, bool encrypt) {
  cipher_ctx ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_CipherInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr, encrypt ? 1 : 0) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()), nullptr) != 1 ||
      EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, bytes(key), bytes(nonce), encrypt ? 1 : 0) != 1)
    return nullptr;
  return ctx;
}

bool add_associated(EVP_CIPHER_CTX* ctx, std::string_view associated) {
  int len = 0;
  return EVP_CipherUpdate(ctx, nullptr, &len, bytes(associated), static_cast<int>(associated.size())) == 1;
}

}  // namespace

secret_box::secret_box(std::string_view server_secret, std::string_view purpose)
    : key_(server_secret.empty() ? std::string() : hkdf_sha256(server_secret, purpose)) {}

secret_box::~secret_box() { cleanse(key_); }

result<std::string> secret_box::seal(std::string_view associated, std::string_view plaintext) const {
  if (key_.empty()) return make_error(errc::internal, "no key to seal with");
  std::string out(1 + nonce_octets + plaintext.size() + tag_octets, '\0');
  out[0] = version;
  POSTA_TRY(random_fill({writable(out) + 1, nonce_octets}));
  auto ctx = gcm_context(key_, std::string_view(out).substr(1, nonce_octets), true);
  if (!ctx || !add_associated(ctx.get(), associated)) return make_error(errc::internal, "AES-GCM set-up failed");
  int len = 0, tail = 0;
  unsigned char* body = writable(out) + 1 + nonce_octets;
  if (EVP_CipherUpdate(ctx.get(), body, &len, bytes(plaintext), static_cast<int>(plaintext.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), body + len, &tail) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, tag_octets, body + plaintext.size()) != 1)
    return make_error(errc::internal, "AES-GCM encryption failed");
  return out;
}

result<std::string> secret_box::open(std::string_view associated, std::string_view sealed) const {
  if (key_.empty()) return make_error(errc::internal, "no key to open with");
  if (sealed.size() < 1 + nonce_octets + tag_octets || sealed[0] != version)
    return make_error(errc::permission_denied, "sealed secret malformed");
  auto const nonce = sealed.substr(1, nonce_octets);
  auto const body = sealed.substr(1 + nonce_octets, sealed.size() - 1 - nonce_octets - tag_octets);
  std::string tag(sealed.substr(sealed.size() - tag_octets));
  auto ctx = gcm_context(key_, nonce, false);
  if (!ctx || !add_associated(ctx.get(), associated)) return make_error(errc::internal, "AES-GCM set-up failed");
  std::string out(body.size(), '\0');
  int len = 0, tail = 0;
  bool const ok = EVP_CipherUpdate(ctx.get(), writable(out), &len, bytes(body), static_cast<int>(body.size())) == 1 &&
                  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, tag_octets, tag.data()) == 1 &&
                  EVP_CipherFinal_ex(ctx.get(), writable(out) + len, &tail) == 1;
  if (!ok) {
    cleanse(out);  // SECURITY: unauthenticated plaintext never leaves
    return make_error(errc::permission_denied, "sealed secret does not open (tampered, misplaced or another server secret)");
  }
  return out;
}

}  // namespace posta::util
