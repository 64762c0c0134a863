// The authentication service shared by SMTP, IMAP, POP3 and XMPP: login name
// normalisation (default domain), failed-login throttling per client network,
// per account and network, and per account (in PostgreSQL: throttle_store), argon2id verification of local passwords, SCRAM credentials, and
// a plug-in point through which the directory module checks directory
// accounts by LDAP bind (the password is then never stored here).
#pragma once

#include "core/auth/scram.hpp"
#include "core/auth/throttle_store.hpp"
#include "core/identity/store.hpp"

#include <memory>
#include <optional>
#include <mutex>
#include <string>

namespace posta::settings { class store; }

namespace posta::auth {

// password_expired: the password was right but the directory wants it
// changed first (AD data 532 / 773); the protocols say so (IMAP [EXPIRED],
// XMPP <credentials-expired/> …) instead of "wrong password".
enum class login_outcome { ok, bad_credentials, disabled, throttled, unavailable, password_expired };

struct login_result {
  login_outcome outcome = login_outcome::bad_credentials;
  std::string address;  // the normalised login (on success: the account's address)
  std::int64_t account_id = 0;  // on success: so a session need not look the account up again
  bool ok() const noexcept { return outcome == login_outcome::ok; }
};

// What the directory said to a user's password (issue 12 "Authentication").
enum class directory_answer {
  accepted,
  wrong_password,  // or no such user: counted by failed-login throttling
  refused,         // the directory will not let this account log in (disabled, locked, account expired)
  password_expired,  // the password was right but must be changed first (AD data 532, 773)
};

// Implemented by the directory module and plugged in by app/. An error
// (errc::unavailable) is a directory that could not be asked: a temporary
// failure, never a refusal.
class directory_verifier {
 public:
  virtual ~directory_verifier() = default;
  virtual asio::awaitable<result<directory_answer>> verify(identity::credentials const& account,
                                                           std::string const& password) = 0;
};

struct scram_lookup {
  scram_credentials credentials;
  std::string address;
  bool exists = false;  // false: fake credentials, the exchange will fail
  std::int64_t account_id = 0;  // when it exists
};

class authenticator {
 public:
  authenticator(identity::store& identity, settings::store const& settings, std::string scram_secret);

  asio::awaitable<login_result> verify_password(std::string login, std::string password, std::string ip);

  // SCRAM: the stored keys of `login`, or stable fake ones (RFC 5802 §9).
  // Disabled, directory and throttled accounts get fake keys too.
  asio::awaitable<scram_lookup> scram_credentials_for(std::string login, scram_hash hash, std::string ip);
  asio::awaitable<void> record_scram_result(scram_lookup who, std::string ip, bool ok);

  void set_directory_verifier(std::shared_ptr<directory_verifier> verifier);
  void apply_settings() {}  // throttle limits are read from the settings at each use

 private:
  throttle_limits limits() const;
  asio::awaitable<std::optional<throttle_state>> throttle_state_of(throttle_keys const& keys);
  asio::awaitable<void> record_failure(throttle_keys const& keys, std::string const& ip);
  result<std::string> normalise(std::string const& login) const;

  identity::store& identity_;
  settings::store const& settings_;
  std::string scram_secret_;
  mutable std::mutex mutex_;
  throttle_store throttle_;
  std::shared_ptr<directory_verifier> directory_;
};

}  // namespace posta::auth
