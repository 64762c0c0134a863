// Who a recipient address is: a local account, an alias or group to expand,
// a domain's catch-all, or a remote address. Used at RCPT time (is it
// acceptable?) and in the delivering transaction (whose mailboxes get it?).
#pragma once

#include "core/db/pool.hpp"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace posta::mail::delivery {

enum class rcpt_status {
  local,         // deliverable here
  remote,        // not one of our domains: relay (policy decides)
  unknown,       // our domain, no such address → 550 5.1.1
  over_quota,    // → 452 4.2.2
  disabled,      // the account is disabled → 550 5.2.1
};

struct rcpt_check {
  rcpt_status status;
  std::string resolved;  // the address that matched (after +tag or catch-all)
  std::int64_t quota = 0;  // of the matched account (0 = unlimited)
  std::int64_t used = 0;
};

// SECURITY: bounds on one expansion (alias loops, huge groups).
inline constexpr int max_expansion_depth = 8;
inline constexpr std::size_t max_expanded_recipients = 5000;

struct gone_recipient {
  std::string address;
  std::string status;  // RFC 3463: 5.1.1 no longer exists, 5.2.1 disabled
};

struct expansion {
  std::map<std::int64_t, std::string> accounts;  // account id -> its address (Delivered-To)
  std::set<std::string> remote;                  // external addresses to queue
  // Accepted recipients that are no longer deliverable (deleted or disabled
  // between RCPT and the commit): they get a failure notice, not silence.
  std::vector<gone_recipient> gone;
};

// What one address resolved to (see recipients.cpp).
struct address_lookup {
  bool local_domain = false;
  std::string address;  // what matched; empty when nothing did
  std::string kind;     // account | alias | group
  // When an account matched:
  std::int64_t account_id = 0;
  bool enabled = false;
  std::int64_t quota = 0;
  std::int64_t used = 0;
};

// Look-ups done ahead for a whole batch, by the address as given.
using lookup_cache = std::map<std::string, address_lookup, std::less<>>;

class rcpt_cache;

class resolver {
 public:
  explicit resolver(db::pool& pool);
  ~resolver();

  // What RCPT TO:<address> finds, from the cache of recent look-ups when it
  // holds the address (see rcpt_cache.hpp).
  asio::awaitable<result<rcpt_check>> check(std::string address);
  void set_cache_seconds(std::int64_t seconds);  // smtp.recipient_cache_seconds
  void forget_cached();                          // identity changed

  // Whether `account` may use `address` as its sender: its own address, or
  // an alias that delivers to it. A database error is an error, not a "no":
  // the caller answers 4xx.
  asio::awaitable<result<bool>> may_send_as(std::string account, std::string address);

  // Expands accepted recipients inside a delivering transaction; addresses
  // found in `known` need no query of their own.
  static asio::awaitable<result<expansion>> expand(db::connection& c, std::vector<std::string> const& recipients,
                                                   lookup_cache const* known = nullptr);

  // The look-ups of many addresses in one round trip (a batch's recipients).
  static asio::awaitable<result<lookup_cache>> prefetch(db::connection& c, std::vector<std::string> const& addresses);

 private:
  asio::awaitable<result<rcpt_check>> look_up(std::string const& address);

  db::pool& pool_;
  std::unique_ptr<rcpt_cache> cache_;
};

// Lowercases the domain and (for lookups) the local part: local mailboxes
// are case-insensitive here, as in Postfix's virtual maps.
std::string lookup_key(std::string_view address);
// "user+tag@d" -> "user@d"; empty when there is no tag.
std::string without_subaddress(std::string_view address);

}  // namespace posta::mail::delivery
