// The DKIM keys of local domains (RFC 6376 3.6): one active RSA-2048 key per
// domain under a selector "posta<yyyymm>", its public half published as a
// TXT record the administrator copies into DNS, its private half sealed
// with the server secret (core/util/crypto_secret_box.hpp). Rotation
// retires the active key and makes the next one.
#pragma once

#include "core/db/pool.hpp"
#include "core/util/crypto_rsa.hpp"
#include "core/util/crypto_secret_box.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace posta::identity {

struct dkim_public_key {
  std::string selector;
  std::string public_key;  // base64 SubjectPublicKeyInfo
  std::string created_at;
};

// "posta202501._domainkey.example.org": where the TXT record goes (RFC 6376 3.6.2.1).
std::string dkim_record_name(std::string_view selector, std::string_view domain);
// "v=DKIM1; k=rsa; p=MIIB…" (RFC 6376 3.6.1).
std::string dkim_record_value(std::string_view public_key);
// The first of "posta<yyyymm>", "posta<yyyymm>-2", "-3"… not in `taken`:
// selectors of a domain are never reused, so a record in DNS names one key.
std::string next_dkim_selector(std::string_view yyyymm, std::vector<std::string> const& taken);

// What signing needs. SECURITY: the plaintext key lives in memory only, and
// is overwritten when this goes.
struct dkim_signing_key {
  std::string domain;
  std::string selector;
  std::string private_key_pem;
  dkim_signing_key() = default;
  dkim_signing_key(dkim_signing_key const&) = default;
  dkim_signing_key(dkim_signing_key&&) = default;
  dkim_signing_key& operator=(dkim_signing_key const&) = default;
  dkim_signing_key& operator=(dkim_signing_key&&) = default;
  ~dkim_signing_key();
};

// Thread-safe (the pool is; the box is read-only after construction).
class dkim_keys {
 public:
  dkim_keys(db::pool& pool, std::string_view server_secret);

  // A new RSA-2048 key pair, made on the CPU pool.
  asio::awaitable<result<util::rsa_key_pair>> generate() const;

  // Inside the caller's transaction: retires the domain's active key (if
  // any) and adds `pair` under the next free selector, which it returns.
  asio::awaitable<result<std::string>> add_key(db::connection& c, std::int64_t domain_id, std::string const& domain,
                                               util::rsa_key_pair const& pair) const;

  // A new active key for the domain (the old one retired), journaled. A
  // domain made before DKIM, or while dkim.sign was off, gets its first here.
  asio::awaitable<result<dkim_public_key>> rotate(std::string domain) const;

  // The active key of a (normalised) domain, opened; nullopt when it has none.
  asio::awaitable<result<std::optional<dkim_signing_key>>> signing_key(std::string domain) const;

 private:
  std::string associated(std::string_view domain, std::string_view selector) const;

  db::pool& pool_;
  util::secret_box box_;
};

}  // namespace posta::identity
