// What the queue runner reads from the runtime settings (relay.*, queue.*,
// mail.encode_utf8_headers), and the client TLS contexts it verifies with,
// loaded on the disk pool when relay.tls_ca_file changes (reading a CA file
// or the system's trust store is file I/O: never on an io thread).
#pragma once

#include "core/util/async.hpp"
#include "mail/queue/retry.hpp"
#include "mail/queue/route.hpp"

#include <memory>
#include <string>

namespace posta::settings {
class store;
}

namespace posta::mail::queue {

struct runner_config {
  std::string route_key;  // what decides where mail goes and how: a change ends every backoff
  route_settings route;   // without TLS contexts (tls_contexts::apply adds them)
  retry_policy retry;
  std::chrono::seconds delay_warning{0};  // age of a deferred recipient that earns a delay report; 0: none
  int max_connections = 100;
  int per_destination = 10;
  bool relay_invalid = false;  // relay.smarthost set but unusable: hold everything
};

// The settings in force; no I/O.
runner_config read_runner_config(settings::store const& settings, std::string const& hostname);

class tls_contexts {
 public:
  // Loads the contexts when `ca_file` differs from the last load (on the
  // disk pool); a file that does not load leaves no verifying context, so
  // TLS that must be verified fails with a 4xx and mail waits.
  asio::awaitable<void> refresh(std::string ca_file);
  void apply(route_settings& route) const;

 private:
  bool loaded_ = false;
  std::string ca_file_;
  std::shared_ptr<boost::asio::ssl::context> verifying_, opportunistic_;
};

}  // namespace posta::mail::queue
