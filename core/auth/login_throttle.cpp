// Failed-login throttling: sliding window of failures per key, lockout once
// the limit is reached, bounded tables with least-recently-touched eviction.
#include "core/auth/login_throttle.hpp"

#include <algorithm>

namespace posta::auth {
namespace {

// SECURITY: keys come from clients (login names); longer ones are cut so a
// key costs bounded memory. Collisions past this length only merge counters.
constexpr std::size_t max_key_bytes = 320;

std::string_view clip(std::string_view key) { return key.substr(0, max_key_bytes); }

}  // namespace

login_throttle::login_throttle(login_throttle_params params) : params_(params) {}

std::chrono::steady_clock::duration login_throttle::locked_for(table const& t, std::string_view key, time_point now) {
  if (key.empty()) return {};
  auto const it = t.entries.find(std::string(clip(key)));
  if (it == t.entries.end() || it->second.locked_until <= now) return {};
  return it->second.locked_until - now;
}

throttle_verdict login_throttle::check(std::string_view ip, std::string_view account, time_point now) {
  std::lock_guard lock(mutex_);
  auto const wait = std::max(locked_for(ips_, ip, now), locked_for(accounts_, account, now));
  return throttle_verdict{.allowed = wait <= std::chrono::steady_clock::duration::zero(), .retry_after = wait};
}

// Finds or creates the key's entry and marks it most recently used; evicts
// the least recently used key when the table is full.
// SECURITY: an attacker who can create many keys (spoofed login names) can
// push a locked account out early; the per-IP table still holds them back.
login_throttle::entry& login_throttle::touch(table& t, std::string_view key) {
  std::string const k(clip(key));
  auto it = t.entries.find(k);
  if (it != t.entries.end()) {
    t.recency.splice(t.recency.end(), t.recency, it->second.lru);
    return it->second;
  }
  if (t.entries.size() >= std::max<std::size_t>(params_.max_tracked_keys, 1)) {
    t.entries.erase(t.recency.front());
    t.recency.pop_front();
  }
  t.recency.push_back(k);
  entry& e = t.entries[k];
  e.lru = std::prev(t.recency.end());
  return e;
}

void login_throttle::fail(table& t, std::string_view key, std::uint32_t limit, time_point now) {
  if (key.empty()) return;
  entry& e = touch(t, key);
  if (e.locked_until > now) return;  // already locked: the lockout runs from its start
  while (!e.failures.empty() && e.failures.front() <= now - params_.window) e.failures.pop_front();
  e.failures.push_back(now);
  if (e.failures.size() >= std::max<std::uint32_t>(limit, 1)) {
    e.locked_until = now + params_.lockout;
    e.failures.clear();
  }
}

void login_throttle::record_failure(std::string_view ip, std::string_view account, time_point now) {
  std::lock_guard lock(mutex_);
  fail(ips_, ip, params_.max_failures_per_ip, now);
  fail(accounts_, account, params_.max_failures_per_account, now);
}

void login_throttle::record_success(std::string_view account) {
  std::lock_guard lock(mutex_);
  auto const it = accounts_.entries.find(std::string(clip(account)));
  if (it == accounts_.entries.end()) return;
  accounts_.recency.erase(it->second.lru);
  accounts_.entries.erase(it);
}

std::size_t login_throttle::tracked_keys() const {
  std::lock_guard lock(mutex_);
  return ips_.entries.size() + accounts_.entries.size();
}

}  // namespace posta::auth
