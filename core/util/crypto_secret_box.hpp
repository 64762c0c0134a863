// Secrets at rest (DKIM private keys): AES-256-GCM (NIST SP 800-38D) under a
// key derived from the server secret with HKDF-SHA256 (RFC 5869), one key per
// purpose. The associated data names what a ciphertext is for ("dkim
// example.org posta202501"), so a sealed value copied to another row does
// not open there. On OpenSSL's EVP interface.
#pragma once

#include "core/util/result.hpp"

#include <string>
#include <string_view>

namespace posta::util {

class secret_box {
 public:
  // `purpose` is HKDF's info: boxes of different purposes never share a key.
  secret_box(std::string_view server_secret, std::string_view purpose);
  ~secret_box();
  secret_box(secret_box const&) = delete;
  secret_box& operator=(secret_box const&) = delete;

  // version (1 byte) | nonce (12, random) | ciphertext | tag (16).
  result<std::string> seal(std::string_view associated, std::string_view plaintext) const;

  // SECURITY: fails (errc::permission_denied) when the ciphertext, its tag
  // or the associated data differ from what was sealed, or the server
  // secret is another; nothing of the plaintext is returned then.
  result<std::string> open(std::string_view associated, std::string_view sealed) const;

 private:
  std::string key_;  // 32 bytes; empty when the derivation failed (every call then fails)
};

}  // namespace posta::util
