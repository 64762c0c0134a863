// Asynchronous DNS look-ups on the io_context: c-ares (its classic API)
// driven by Asio, so no io thread ever blocks on DNS. Every query is bounded
// by a timeout; answers come back in our types (records.hpp) and failures as
// dns_errc values (errors.hpp), NXDOMAIN, NODATA and temporary ones apart.
#pragma once

#include "core/dns/records.hpp"
#include "core/util/async.hpp"
#include "core/util/result.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace posta::dns {

struct resolver_options {
  std::vector<std::string> servers;  // dns.servers items (servers.hpp); empty = the system's
  // SECURITY: the longest a query may take, all retries and servers included;
  // past it the query ends with dns_errc::timeout (temporary).
  std::chrono::milliseconds query_timeout{10'000};
  std::chrono::milliseconds attempt_timeout{2'000};  // one try at one server (c-ares doubles it per round)
  int tries = 2;                                     // rounds over the server list
};

// Thread-safe: queries may come from any executor; they run on the
// resolver's own strand and resume the caller on its executor.
class resolver {
 public:
  // errc::invalid_argument for a bad server list; errc::internal when
  // c-ares cannot start (no memory, no resolv.conf it can read).
  static result<std::unique_ptr<resolver>> create(asio::any_io_executor executor, resolver_options options);
  ~resolver();
  resolver(resolver const&) = delete;
  resolver& operator=(resolver const&) = delete;

  asio::awaitable<result<std::vector<mx_record>>> mx(std::string domain);
  asio::awaitable<result<ipv4_list>> a(std::string host);
  asio::awaitable<result<ipv6_list>> aaaa(std::string host);
  asio::awaitable<result<txt_list>> txt(std::string name);

  // Replaces the servers (a change of dns.servers); queries in flight end
  // with dns_errc::cancelled (temporary). Empty: the system's again.
  asio::awaitable<result<void>> set_servers(std::vector<std::string> servers);

  // Ends every query in flight with dns_errc::cancelled (shutdown).
  void cancel();

  struct impl;

 private:
  explicit resolver(std::shared_ptr<impl> impl);
  std::shared_ptr<impl> impl_;  // shared with pending socket and timer waits
};

}  // namespace posta::dns
