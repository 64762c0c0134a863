// Recent RCPT look-ups, so that a busy MX asks the database once per address
// and period instead of once per message (Dovecot's auth cache, Postfix's
// proxymap play the same part). Advisory only: the delivering transaction
// resolves every recipient again, so a stale entry can at worst accept at
// RCPT what the commit then refuses or reports (a failure notice, or a 5xx
// after DATA). Identity changes clear it at once (NOTIFY posta_identity,
// schema/010), and so does every reconnection of the notifier (what was
// said meanwhile was not heard); the time limit bounds anything else.
// Accounts with a quota are not cached: their answer depends on usage.
#pragma once

#include "mail/delivery/recipients.hpp"

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace posta::mail::delivery {

class rcpt_cache {
 public:
  using clock = std::chrono::steady_clock;

  // SECURITY: at most this many addresses are kept, so a client trying
  // millions of recipients cannot grow the server's memory.
  static constexpr std::size_t max_entries = 20000;

  void set_ttl(std::chrono::seconds ttl);  // 0 turns the cache off (and empties it)
  std::optional<rcpt_check> find(std::string const& key, clock::time_point now);
  void remember(std::string key, rcpt_check const& check, clock::time_point now);
  void clear();

 private:
  struct entry {
    rcpt_check check;
    clock::time_point expires;
  };
  std::mutex mutex_;  // shared by the sessions of every io thread
  std::chrono::seconds ttl_{0};
  std::unordered_map<std::string, entry> entries_;
};

}  // namespace posta::mail::delivery
