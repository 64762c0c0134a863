// Failed-login throttling rows (schema/005_login_throttle.sql).
#include "core/auth/throttle_store.hpp"

#include "core/net/connection_limiter.hpp"

#include <boost/asio/ip/address.hpp>

namespace posta::auth {
namespace {

constexpr std::size_t max_key_bytes = 320;
// SECURITY: expired rows deleted per failure; the table holds at most the
// keys that failed within the last window (plus locked ones).
constexpr int expired_rows_per_failure = 100;

}  // namespace

throttle_keys make_throttle_keys(std::string_view ip, std::string_view account) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(std::string(ip), ec);
  throttle_keys k;
  k.network = ec ? std::string(ip.substr(0, max_key_bytes)) : net::connection_limiter::counting_key(address).to_string();
  k.account = std::string(account.substr(0, max_key_bytes));
  if (!k.account.empty()) k.account_network = k.account + "|" + k.network;
  return k;
}

// One read (at most three rows: one per key) for both answers, so that the
// common login, with no failures behind it, is not followed by a DELETE.
asio::awaitable<result<throttle_state>> throttle_store::state(throttle_keys keys) {
  auto r = co_await pool_.q("SELECT coalesce(bool_or(locked_until > now()), false), "
                            "coalesce(bool_or(scope <> 'ip'), false) FROM login_throttle WHERE "
                            "(scope = 'ip' AND key = $1) OR (scope = 'account_net' AND key = $2) OR "
                            "(scope = 'account' AND key = $3)",
                            keys.network, keys.account_network, keys.account);
  if (!r) co_return r.error();
  if (r->empty()) co_return throttle_state{};
  co_return throttle_state{r->boolean(0, 0), r->boolean(0, 1)};
}

// One key: a new window when the old one has passed, one more failure
// otherwise; nothing while it is locked (the lockout runs from its start).
asio::awaitable<result<void>> throttle_store::fail_one(std::string scope, std::string key, std::int64_t limit,
                                                       throttle_limits limits) {
  auto window = static_cast<std::int64_t>(limits.window.count());
  auto counted = co_await pool_.q(
      "INSERT INTO login_throttle AS t (scope, key, failures, window_start) VALUES ($1, $2, 1, now()) "
      "ON CONFLICT (scope, key) DO UPDATE SET "
      "failures = CASE WHEN t.locked_until > now() THEN t.failures "
      "WHEN t.window_start <= now() - $3::bigint * interval '1 second' THEN 1 ELSE t.failures + 1 END, "
      "window_start = CASE WHEN t.locked_until > now() THEN t.window_start "
      "WHEN t.window_start <= now() - $3::bigint * interval '1 second' THEN now() ELSE t.window_start END",
      scope, key, window);
  if (!counted) co_return counted.error();
  auto locked = co_await pool_.q(
      "UPDATE login_throttle SET locked_until = now() + $4::bigint * interval '1 second', failures = 0, "
      "window_start = now() WHERE scope = $1 AND key = $2 AND failures >= $3 "
      "AND (locked_until IS NULL OR locked_until <= now())",
      scope, key, std::max<std::int64_t>(limit, 1), static_cast<std::int64_t>(limits.lockout.count()));
  if (!locked) co_return locked.error();
  co_return result<void>{};
}

asio::awaitable<result<void>> throttle_store::record_failure(throttle_keys keys, throttle_limits limits) {
  auto r = co_await fail_one("ip", keys.network, limits.per_network, limits);
  if (!r) co_return r;
  if (!keys.account.empty()) {
    r = co_await fail_one("account_net", keys.account_network, limits.per_account_network, limits);
    if (!r) co_return r;
    r = co_await fail_one("account", keys.account, limits.per_account, limits);
    if (!r) co_return r;
  }
  auto window = static_cast<std::int64_t>(limits.window.count());
  auto swept = co_await pool_.q(
      "DELETE FROM login_throttle WHERE ctid IN (SELECT ctid FROM login_throttle "
      "WHERE window_start <= now() - $1::bigint * interval '1 second' "
      "AND (locked_until IS NULL OR locked_until <= now()) LIMIT $2)",
      window, static_cast<std::int64_t>(expired_rows_per_failure));
  if (!swept) co_return swept.error();
  co_return result<void>{};
}

asio::awaitable<result<void>> throttle_store::record_success(throttle_keys keys) {
  if (keys.account.empty()) co_return result<void>{};
  auto r = co_await pool_.q("DELETE FROM login_throttle WHERE (scope = 'account_net' AND key = $1) OR "
                            "(scope = 'account' AND key = $2)",
                            keys.account_network, keys.account);
  if (!r) co_return r.error();
  co_return result<void>{};
}

}  // namespace posta::auth
