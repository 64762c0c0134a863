// Failed-login throttling kept in PostgreSQL, so every node sees the same
// counts and a settings change or restart forgets nothing. Keys: the client
// network; the account from that network; the account from anywhere, with
// a higher limit. So an attacker who guesses bob's password from one network
// locks only bob-from-that-network (and his own network), not bob everywhere;
// only a guessing campaign from many networks reaches the account-wide
// limit. Time is the database's now(), the same for all nodes.
#pragma once

#include "core/db/pool.hpp"
#include "core/util/async.hpp"
#include "core/util/result.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace posta::auth {

struct throttle_limits {
  // SECURITY: failures within `window` before `lockout` starts, per key kind.
  std::int64_t per_network = 20;           // auth.max_failures_per_ip
  std::int64_t per_account_network = 10;   // auth.max_failures_per_account
  std::int64_t per_account = 100;          // auth.max_failures_per_account_total
  std::chrono::seconds window{300};
  std::chrono::seconds lockout{300};
};

struct throttle_keys {
  std::string network;          // IPv4 address or IPv6 /64
  std::string account_network;  // "account|network"; empty without an account
  std::string account;          // normalised login; empty when unknown
};

// SECURITY: the client network counts as one source: an IPv4 address, or the
// /64 of an IPv6 address (one host usually owns a whole /64). Account keys
// are cut at 320 octets so a hostile login costs bounded space. Pure.
throttle_keys make_throttle_keys(std::string_view ip, std::string_view account);

// What one read of the throttle says about a login about to be checked.
struct throttle_state {
  bool locked = false;            // a key is locked out now
  bool has_account_rows = false;  // the account keys have rows: a success has something to forget
};

class throttle_store {
 public:
  explicit throttle_store(db::pool& pool) : pool_(pool) {}

  // Whether any of the keys is locked out now, and whether a success would
  // have rows to forget (most logins have none: no write for them).
  asio::awaitable<result<throttle_state>> state(throttle_keys keys);

  // A wrong password: counts against every key; locks those at their limit.
  asio::awaitable<result<void>> record_failure(throttle_keys keys, throttle_limits limits);

  // A correct password: forgets the account's failures (both account keys).
  // The network keeps its count, so one valid account cannot launder
  // guesses against others.
  asio::awaitable<result<void>> record_success(throttle_keys keys);

 private:
  asio::awaitable<result<void>> fail_one(std::string scope, std::string key, std::int64_t limit,
                                         throttle_limits limits);

  db::pool& pool_;
};

}  // namespace posta::auth
