// Random bytes, tokens and nonces from OpenSSL RAND_bytes.
#include "core/util/crypto_random.hpp"

#include "core/util/base64.hpp"

#include <openssl/rand.h>


namespace posta::util {

result<void> random_fill(std::span<unsigned char> out) {
  if (out.size() > max_random_request) {
    return make_error(errc::invalid_argument, "random bytes: request of " + std::to_string(out.size()) + " bytes too large");
  }
  if (out.empty()) return {};
  // RAND_bytes returns 1 on success; 0 or -1 mean no good randomness is available.
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    return make_error(errc::internal, "random bytes: RAND_bytes failed");
  }
  return {};
}

result<std::string> random_bytes(std::size_t count) {
  std::string out(count, '\0');
  POSTA_TRY(random_fill(std::span(reinterpret_cast<unsigned char*>(out.data()), out.size())));
  return out;
}

result<std::string> random_token(std::size_t entropy_bytes) {
  std::string const raw = POSTA_TRY(random_bytes(entropy_bytes));
  return base64_encode(raw, base64_alphabet::url, base64_padding::none);
}

result<std::string> random_nonce(std::size_t entropy_bytes) {
  std::string const raw = POSTA_TRY(random_bytes(entropy_bytes));
  return base64_encode(raw);
}

}  // namespace posta::util
