// DKIM for the queue runner: which queued messages are signed, with which
// domain's key, and the keys it holds (a bounded cache, emptied when any
// node changes a key: NOTIFY posta_dkim, schema/015). A message that cannot
// be signed goes unsigned, with a journal entry: signing never loses or
// holds up mail.
#pragma once

#include "core/identity/dkim.hpp"
#include "mail/smtp/client/body_source.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace posta::mail::dkim {

struct outbound_message {
  std::int64_t queue_id = 0;
  std::string sender;     // envelope sender, "" for the null reverse-path
  bool may_sign = false;  // queue.may_sign: an authenticated or trusted client sent it
  // The next server will see other header bytes than were signed (RFC 2047
  // words for a peer without SMTPUTF8, mail/smtp/client/transfer.cpp).
  bool header_rewritten = false;
};

// Used on one strand (the runner's); forget_keys() from any thread.
class outbound_signer {
 public:
  explicit outbound_signer(identity::dkim_keys const& keys) : keys_(keys) {}

  // What to send: `body` behind a DKIM-Signature field, or `body` itself.
  asio::awaitable<std::unique_ptr<smtp::client::body_source>> sign(std::unique_ptr<smtp::client::body_source> body,
                                                                   outbound_message const& m);

  void forget_keys() { generation_.fetch_add(1, std::memory_order_relaxed); }

 private:
  using clock = std::chrono::steady_clock;
  struct cached {
    std::optional<identity::dkim_signing_key> key;  // nullopt: the domain has none (or is not local)
    clock::time_point fetched;
  };

  asio::awaitable<result<std::optional<identity::dkim_signing_key>>> key_of(std::string const& domain);
  asio::awaitable<result<std::string>> signature(smtp::client::body_source& body, std::string const& sender,
                                                 std::string const& id);

  identity::dkim_keys const& keys_;
  std::map<std::string, cached> cache_;
  std::atomic<std::uint64_t> generation_{0};
  std::uint64_t cache_generation_ = 0;
};

}  // namespace posta::mail::dkim
