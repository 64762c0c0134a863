// argon2id password hashing and verification in the PHC string format
// (RFC 9106; PHC string format as written by the reference libargon2).
#include "core/auth/password_hash.hpp"

#include "core/util/base64.hpp"
#include "core/util/crypto_hash.hpp"
#include "core/util/crypto_random.hpp"

#include <argon2.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <vector>

namespace posta::auth {
namespace {

constexpr std::string_view phc_prefix = "$argon2id$v=19$";

// SECURITY: bounds on the salt and hash read from a stored PHC string.
constexpr std::size_t min_salt_bytes = 8;
constexpr std::size_t max_salt_bytes = 64;
constexpr std::size_t min_hash_bytes = 16;
constexpr std::size_t max_hash_bytes = 64;

struct parsed_phc {
  argon2_params params;
  std::string salt;
  std::string hash;
};

constexpr util::base64_options phc_base64{.padding = util::base64_padding::none};

error bad_phc(std::string_view why) { return make_error(errc::invalid_argument, "invalid argon2id hash: " + std::string(why)); }

result<void> check_password(std::string_view password) {
  if (password.size() > max_password_bytes) {
    return make_error(errc::limit_exceeded, "password longer than " + std::to_string(max_password_bytes) + " bytes");
  }
  return {};
}

result<void> check_params(argon2_params const& p) {
  bool const ok = p.memory_kib >= 8 * p.parallelism && p.memory_kib <= max_memory_kib && p.iterations >= 1 &&
                  p.iterations <= max_iterations && p.parallelism >= 1 && p.parallelism <= max_parallelism &&
                  p.salt_bytes >= min_salt_bytes && p.salt_bytes <= max_salt_bytes &&
                  p.hash_bytes >= min_hash_bytes && p.hash_bytes <= max_hash_bytes;
  if (!ok) return make_error(errc::invalid_argument, "argon2id parameters out of range");
  return {};
}

// Parses "<name>=<decimal>" exactly: no sign, no leading zeros, fits in 32 bits.
result<std::uint32_t> parse_param(std::string_view field, std::string_view name) {
  if (field.size() <= name.size() + 1 || field.substr(0, name.size()) != name || field[name.size()] != '=') {
    return bad_phc("expected " + std::string(name) + "=");
  }
  std::string_view const digits = field.substr(name.size() + 1);
  if (digits.size() > 1 && digits[0] == '0') return bad_phc("leading zero");
  std::uint32_t value = 0;
  auto const [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || end != digits.data() + digits.size()) return bad_phc("bad number");
  return value;
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    std::size_t const end = text.find(sep, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

result<parsed_phc> parse_phc(std::string_view phc) {
  if (phc.substr(0, phc_prefix.size()) != phc_prefix) return bad_phc("not argon2id version 19");
  auto const parts = split(phc.substr(phc_prefix.size()), '$');
  if (parts.size() != 3) return bad_phc("expected parameters, salt and hash");
  auto const fields = split(parts[0], ',');
  if (fields.size() != 3) return bad_phc("expected m=,t=,p=");
  parsed_phc out;
  out.params.memory_kib = POSTA_TRY(parse_param(fields[0], "m"));
  out.params.iterations = POSTA_TRY(parse_param(fields[1], "t"));
  out.params.parallelism = POSTA_TRY(parse_param(fields[2], "p"));
  auto salt = util::base64_decode(parts[1], phc_base64);
  auto hash = util::base64_decode(parts[2], phc_base64);
  if (!salt || !hash) return bad_phc("bad base64");
  out.salt = std::move(*salt);
  out.hash = std::move(*hash);
  out.params.salt_bytes = static_cast<std::uint32_t>(std::min<std::size_t>(out.salt.size(), UINT32_MAX));
  out.params.hash_bytes = static_cast<std::uint32_t>(std::min<std::size_t>(out.hash.size(), UINT32_MAX));
  if (!check_params(out.params)) return bad_phc("parameters out of range");
  return out;
}

std::string format_phc(argon2_params const& p, std::string_view salt, std::string_view hash) {
  return std::string(phc_prefix) + "m=" + std::to_string(p.memory_kib) + ",t=" + std::to_string(p.iterations) +
         ",p=" + std::to_string(p.parallelism) + "$" +
         util::base64_encode(salt, util::base64_alphabet::standard, util::base64_padding::none) + "$" +
         util::base64_encode(hash, util::base64_alphabet::standard, util::base64_padding::none);
}

// The raw argon2id output for these inputs; parameters already checked.
result<std::string> argon2id_raw(std::string_view password, std::string_view salt, argon2_params const& p) {
  std::string out(p.hash_bytes, '\0');
  int const rc = argon2id_hash_raw(p.iterations, p.memory_kib, p.parallelism, password.data(), password.size(),
                                   salt.data(), salt.size(), out.data(), out.size());
  if (rc != ARGON2_OK) return make_error(errc::internal, std::string("argon2id: ") + argon2_error_message(rc));
  return out;
}

}  // namespace

result<std::string> hash_password_blocking(std::string_view password, argon2_params const& params) {
  POSTA_TRY(check_params(params));
  std::string const salt = POSTA_TRY(util::random_bytes(params.salt_bytes));
  return hash_password_with_salt_blocking(password, salt, params);
}

result<std::string> hash_password_with_salt_blocking(std::string_view password, std::string_view salt,
                                                     argon2_params const& params) {
  POSTA_TRY(check_password(password));
  if (password.empty()) return make_error(errc::invalid_argument, "empty password");
  argon2_params p = params;
  p.salt_bytes = static_cast<std::uint32_t>(std::min<std::size_t>(salt.size(), UINT32_MAX));
  POSTA_TRY(check_params(p));
  std::string const hash = POSTA_TRY(argon2id_raw(password, salt, p));
  return format_phc(p, salt, hash);
}

result<bool> verify_password_blocking(std::string_view password, std::string_view phc) {
  POSTA_TRY(check_password(password));
  parsed_phc const stored = POSTA_TRY(parse_phc(phc));
  std::string const computed = POSTA_TRY(argon2id_raw(password, stored.salt, stored.params));
  // SECURITY: constant-time, so timing reveals nothing about how much matched.
  return util::constant_time_equal(computed, stored.hash);
}

bool needs_rehash(std::string_view phc, argon2_params const& params) {
  auto const stored = parse_phc(phc);
  if (!stored) return true;
  argon2_params const& s = stored->params;
  return s.memory_kib != params.memory_kib || s.iterations != params.iterations ||
         s.parallelism != params.parallelism || s.salt_bytes != params.salt_bytes ||
         s.hash_bytes != params.hash_bytes;
}

}  // namespace posta::auth
