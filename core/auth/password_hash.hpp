// Password hashing for local accounts: argon2id (RFC 9106) in the PHC string
// format "$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>", with
// salt and hash in unpadded base64 as the reference implementation writes them.
#pragma once

#include "core/util/result.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace posta::auth {

// Defaults follow the OWASP argon2id baseline (m=19 MiB, t=2, p=1), sized for
// a 2-core server that must absorb login bursts:
// - 19 MiB per hash: with the thread pool at 2 workers, peak memory for
//   hashing stays under 40 MiB however many logins queue up;
// - t=2: about 20-40 ms per hash on one core, so a burst of 100 logins clears
//   in roughly 2 s on 2 cores while an offline guesser still pays 19 MiB and
//   two passes per guess;
// - p=1: extra lanes would only compete with the other core, which is busy
//   serving sessions; parallelism buys no security against a GPU attacker.
struct argon2_params {
  std::uint32_t memory_kib = 19 * 1024;
  std::uint32_t iterations = 2;
  std::uint32_t parallelism = 1;
  std::uint32_t salt_bytes = 16;
  std::uint32_t hash_bytes = 32;
};

// SECURITY: longer passwords are refused, so a client cannot make us hash
// megabytes (argon2 itself would accept them).
inline constexpr std::size_t max_password_bytes = 1024;

// SECURITY: bounds on parameters read back from a stored hash, so a corrupt or
// planted row cannot make one verification allocate gigabytes or run for minutes.
inline constexpr std::uint32_t max_memory_kib = 1024 * 1024;  // 1 GiB
inline constexpr std::uint32_t max_iterations = 64;
inline constexpr std::uint32_t max_parallelism = 16;

// Hashes with a fresh random salt (RAND_bytes). Fails with
// errc::invalid_argument for an empty password or impossible parameters,
// errc::limit_exceeded past max_password_bytes, errc::internal if the
// generator or argon2 fails. Slow by design: run it on the thread pool.
result<std::string> hash_password_blocking(std::string_view password, argon2_params const& params = {});

// The same with a caller-chosen salt; for tests and imports, not for new hashes.
result<std::string> hash_password_with_salt_blocking(std::string_view password, std::string_view salt,
                                                     argon2_params const& params);

// True when `password` matches `phc` (constant-time comparison of the hashes),
// false when it does not. Fails with errc::invalid_argument when `phc` is not
// an argon2id v=19 PHC string within the bounds above, errc::limit_exceeded
// for a password over max_password_bytes.
result<bool> verify_password_blocking(std::string_view password, std::string_view phc);

// True when `phc` is not an argon2id v=19 hash with exactly these parameters
// (memory, passes, lanes, salt and hash length): after a successful login the
// caller rehashes the password it just verified. Unparseable hashes need it too.
bool needs_rehash(std::string_view phc, argon2_params const& params);

}  // namespace posta::auth
