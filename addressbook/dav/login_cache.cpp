#include "addressbook/dav/login_cache.hpp"

#include "core/util/crypto_hash.hpp"
#include "core/util/crypto_random.hpp"

namespace posta::addressbook::dav {

login_cache::login_cache() {
  auto secret = util::random_bytes(32);
  // Without randomness nothing is cached (every request verifies again).
  if (secret) secret_ = std::move(*secret);
}

std::string login_cache::key_of(std::string_view login, std::string_view password) const {
  // The login's length first: no other login and password give these bytes.
  std::string data = std::to_string(login.size()) + ":";
  data += login;
  data += password;
  auto key = util::hmac(util::hash_algorithm::sha256, secret_, data);
  util::cleanse(data);
  return key;
}

std::optional<cached_user> login_cache::find(std::string_view login, std::string_view password) {
  if (secret_.empty()) return std::nullopt;
  auto const key = key_of(login, password);
  std::lock_guard lock(mutex_);
  auto const it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.expires <= std::chrono::steady_clock::now()) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.who;
}

void login_cache::remember(std::string_view login, std::string_view password, cached_user const& who) {
  if (secret_.empty()) return;
  auto const key = key_of(login, password);
  auto const now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  if (entries_.size() >= max_entries) std::erase_if(entries_, [&](auto const& e) { return e.second.expires <= now; });
  if (entries_.size() >= max_entries) entries_.clear();  // SECURITY: bounded whatever the load
  entries_[key] = {who, now + ttl};
}

}  // namespace posta::addressbook::dav
