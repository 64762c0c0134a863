// Pass-through login of directory accounts (issue 12 "Authentication"): the
// password is checked by an LDAP bind as the user, on pooled connections of
// the account's source, and never stored. After the directory accepted a
// password an argon2id verifier of it is kept, so that while the directory
// is unreachable the same password still logs in (never when the directory
// answers: its word wins).
#pragma once

#include "core/auth/authenticator.hpp"
#include "core/settings/settings.hpp"
#include "directory/ldap/connection.hpp"
#include "directory/store/source_store.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace posta::directory::auth {

// Idle connections per source, reused for user binds. Each set belongs to
// one version of the source's settings (`stamp`, its updated_at): after a
// change (other URIs, TLS settings) the old connections are closed, never
// reused for the new settings.
class bind_pool {
 public:
  std::unique_ptr<ldap::connection> take(std::int64_t source_id, std::string const& stamp);
  void give_back(std::int64_t source_id, std::string const& stamp, std::unique_ptr<ldap::connection> c);

 private:
  // SECURITY: idle connections kept per source; more are closed.
  static constexpr std::size_t max_idle = 4;
  struct idle_set {
    std::string stamp;
    std::vector<std::unique_ptr<ldap::connection>> connections;
  };
  std::mutex mutex_;
  std::map<std::int64_t, idle_set> idle_;
};

class bind_verifier : public posta::auth::directory_verifier {
 public:
  bind_verifier(store::source_store& sources, settings::store const& settings);

  asio::awaitable<result<posta::auth::directory_answer>> verify(identity::credentials const& account,
                                                                std::string const& password) override;

 private:
  asio::awaitable<void> remember(std::int64_t account_id, std::string password, std::optional<std::string> verifier,
                                 bool fresh);
  asio::awaitable<result<posta::auth::directory_answer>> fall_back(std::string const& address,
                                                                   std::string const& password,
                                                                   std::optional<std::string> const& verifier,
                                                                   error const& why);

  // Whether `password` is the one whose verifier is stored and fresh, by a
  // keyed digest kept in this process only: a login with the same password
  // then costs one bind and no argon2.
  bool is_remembered(std::int64_t account_id, std::string const& digest);
  asio::awaitable<result<store::source_config>> settings_of(std::int64_t source_id, std::string const& stamp);
  void note_remembered(std::int64_t account_id, std::string digest);

  store::source_store& sources_;
  settings::store const& settings_;
  bind_pool pool_;
  std::string digest_key_;  // random per process: the digests mean nothing elsewhere
  std::mutex remembered_mutex_;
  std::unordered_map<std::int64_t, std::string> remembered_;

  struct cached_settings {
    std::string stamp;  // directory_sources.updated_at, which every change of the settings moves
    store::source_config config;
  };
  static constexpr std::size_t max_cached_sources = 1000;
  std::mutex settings_mutex_;
  std::map<std::int64_t, cached_settings> settings_cache_;
};

}  // namespace posta::directory::auth
