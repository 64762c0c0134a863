// The queue runner: delivers the queued remote recipients of every node's
// queue table to the rest of the world (or the relay host), one destination
// at a time per connection, with connection reuse, a bound on connections
// per destination and in all, per-destination backoff after a failure (so a
// dead domain costs one connection attempt per backoff, not one per
// message), retries by the queue.* settings, and reports to senders on 5xx
// or expiry. Claims are leases (queue_store.hpp): several nodes share one
// queue without delivering a row twice.
//
// Everything runs on one strand: no locks; the network waits overlap, and
// the CPU per message is small beside a connection's round trips.
//
// DURABILITY: a row leaves the queue only after the remote server's 250
// (or after the report to the sender is committed, for a failure). A crash
// between the 250 and that commit delivers the message again after the
// lease lapses: SMTP cannot tell (RFC 5321 6.1 accepts duplicates over loss).
// Outcomes are committed in groups (one statement for those that end while
// the previous group is written), which widens that window by one commit.
#pragma once

#include "core/util/async.hpp"
#include "core/util/result.hpp"

#include <memory>
#include <string>

namespace posta::blob {
class store;
}
namespace posta::db {
class pool;
}
namespace posta::dns {
class resolver;
}
namespace posta::settings {
class store;
}
namespace posta::mail::delivery {
class committer;
}
namespace posta::identity {
class dkim_keys;
}

namespace posta::mail::queue {

struct runner_context {
  db::pool& pool;
  settings::store const& settings;
  blob::store const& blobs;
  delivery::committer& committer;  // reports to senders are delivered like any mail
  dns::resolver& resolver;
  std::string hostname;  // EHLO name and reporting MTA
  identity::dkim_keys const& dkim;  // the keys mail/dkim signs with (dkim.sign), sealed by the server secret
};

class runner {
 public:
  runner(runner_context context, std::string node_name);
  ~runner();
  runner(runner const&) = delete;
  runner& operator=(runner const&) = delete;

  // Service hooks: start returns a detail line; stop lets deliveries in
  // progress finish their current message (bounded) and gives back the rest.
  asio::awaitable<result<std::string>> start(asio::any_io_executor executor);
  asio::awaitable<void> stop();

  // Thread-safe: rows were queued.
  void wake();
  // Thread-safe: an administrator made deferred rows due (queue_admin.hpp):
  // destinations backing off are tried again at once.
  void flush();
  // Thread-safe: a DKIM key changed (NOTIFY posta_dkim); keys are read again.
  void forget_dkim_keys();

  struct impl;

 private:
  std::shared_ptr<impl> impl_;
};

}  // namespace posta::mail::queue
