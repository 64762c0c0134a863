// Cryptographically secure random bytes, tokens and nonces from OpenSSL's
// RAND_bytes (CSPRNG seeded by the OS). Thread-safe.
#pragma once

#include "core/util/result.hpp"

#include <cstddef>
#include <span>
#include <string>

namespace posta::util {

// SECURITY: refuses requests over this many bytes; nothing legitimate needs more.
inline constexpr std::size_t max_random_request = 4096;

// Fills `out`. Fails with errc::internal if the generator is not seeded
// (never silently returns weak bytes) and errc::invalid_argument past the cap.
result<void> random_fill(std::span<unsigned char> out);

// `count` random bytes.
result<std::string> random_bytes(std::size_t count);

// An opaque secret for URLs, cookies and API tokens: `entropy_bytes` random
// bytes as unpadded base64url (RFC 4648 §5). 32 bytes = 256 bits by default.
result<std::string> random_token(std::size_t entropy_bytes = 32);

// A nonce for SASL (RFC 5802 §5.1 `printable`, no ','): `entropy_bytes`
// random bytes as padded standard base64. 18 bytes give 24 characters.
result<std::string> random_nonce(std::size_t entropy_bytes = 18);

}  // namespace posta::util
