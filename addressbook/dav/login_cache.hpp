// CardDAV clients send their password with every request (HTTP Basic), and
// a sync is hundreds of requests: verifying argon2id each time would cost
// ~15 ms of CPU per request. Logins the authenticator accepted are kept
// briefly, keyed by an HMAC of login and password under a key made at start,
// so the cache holds no password and a wrong one never matches.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace posta::addressbook::dav {

struct cached_user {
  std::int64_t account_id = 0;
  std::string address;
  std::string display_name;
};

class login_cache {
 public:
  // SECURITY: an account disabled, or a password changed, is refused again
  // at most `ttl` later (Dovecot's auth cache keeps an hour by default).
  static constexpr auto ttl = std::chrono::seconds(60);
  static constexpr std::size_t max_entries = 10'000;

  login_cache();
  std::optional<cached_user> find(std::string_view login, std::string_view password);
  void remember(std::string_view login, std::string_view password, cached_user const& who);

 private:
  std::string key_of(std::string_view login, std::string_view password) const;

  struct entry {
    cached_user who;
    std::chrono::steady_clock::time_point expires;
  };
  std::string secret_;
  std::mutex mutex_;
  std::unordered_map<std::string, entry> entries_;
};

}  // namespace posta::addressbook::dav
