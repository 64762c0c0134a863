// RSA key pairs for DKIM (RFC 6376 3.3.1, RFC 8301: at least 1024 bits, 2048
// wanted) on OpenSSL's EVP interface. CPU-heavy (tens to hundreds of
// milliseconds): callers run it on the CPU pool.
#pragma once

#include "core/util/result.hpp"

#include <string>

namespace posta::util {

struct rsa_key_pair {
  std::string private_pem;  // PKCS#8 "BEGIN PRIVATE KEY"
  std::string public_der;   // SubjectPublicKeyInfo (what a DKIM record's p= carries, base64-encoded)
  rsa_key_pair() = default;
  rsa_key_pair(rsa_key_pair const&) = default;
  rsa_key_pair(rsa_key_pair&&) = default;
  rsa_key_pair& operator=(rsa_key_pair const&) = default;
  rsa_key_pair& operator=(rsa_key_pair&&) = default;
  ~rsa_key_pair();  // overwrites private_pem
};

// errc::invalid_argument below 2048 or above 4096 bits.
result<rsa_key_pair> generate_rsa_key_blocking(unsigned bits = 2048);

}  // namespace posta::util
