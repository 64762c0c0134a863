// Hashes, HMAC, PBKDF2 and constant-time comparison (FIPS 180-4, RFC 2104,
// RFC 8018 §5.2) on OpenSSL: the one place outside core/net that includes it.
// Byte strings in and out (raw digests, not hex).
#pragma once

#include "core/util/result.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace posta::util {

enum class hash_algorithm { sha1, sha256 };

std::size_t digest_size(hash_algorithm a);
std::string digest(hash_algorithm a, std::string_view data);
std::string hmac(hash_algorithm a, std::string_view key, std::string_view data);
// `length` bytes of PBKDF2-HMAC; errc::internal if OpenSSL refuses.
result<std::string> pbkdf2_hmac(hash_algorithm a, std::string_view password, std::string_view salt,
                                std::uint32_t iterations, std::size_t length);

// SECURITY: the time taken does not depend on where a and b differ (their
// lengths are not secret).
bool constant_time_equal(std::string_view a, std::string_view b);

// Overwrites a secret so that the optimiser cannot skip it.
void cleanse(std::string& secret);

// SHA-256 of data that arrives in pieces (message bodies).
class sha256_stream {
 public:
  sha256_stream();
  ~sha256_stream();
  sha256_stream(sha256_stream const&) = delete;
  sha256_stream& operator=(sha256_stream const&) = delete;

  void update(std::string_view data);
  std::string finish();  // the 32-byte digest; call once

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace posta::util
