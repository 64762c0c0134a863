// The server's listening sockets: named listeners bound from "host:port"
// settings, each running an accept loop that gives every connection its own
// strand and coroutine. Rebinding is live: a changed setting moves a listener
// without a restart, and established connections stay up.
#pragma once

#include "core/net/connection_cap.hpp"
#include "core/util/result.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace posta::net {

// Runs one connection; the socket's executor is the connection's own strand,
// and the coroutine starts on it. An exception escaping it is logged.
using connection_handler = std::function<boost::asio::awaitable<void>(boost::asio::ip::tcp::socket)>;

struct listener_spec {
  std::string name;     // "smtp", "imaps"…: for logs and rebind()
  std::string address;  // see parse_listen_address(): "" or "0" is off
  connection_handler handler;
  // SECURITY: may use the reserve of the global connection cap (the admin
  // listener, so that it answers while mail listeners are saturated).
  bool reserved = false;
  // Written (once, without waiting) to a connection refused by the cap,
  // e.g. an SMTP "421 …\r\n"; empty: just close.
  std::string refusal = {};
};

// Thread-safe: add/rebind/stop may be called from any thread.
class listener_set {
 public:
  // `io` is the executor of the io_context that runs connections (each one
  // gets a new strand on it). `cap`, when given, bounds the connections of
  // every listener together (each holds a slot until its handler returns);
  // it must outlive the set and its connections.
  explicit listener_set(boost::asio::any_io_executor io, connection_cap* cap = nullptr);
  ~listener_set();  // stops accepting; connections go on
  listener_set(listener_set const&) = delete;
  listener_set& operator=(listener_set const&) = delete;

  // Adds and binds every listener; on failure the others still run and the
  // error names each one that failed.
  result<void> start(std::vector<listener_spec> specs);
  result<void> add(listener_spec spec);  // errc::already_exists for a taken name

  // Moves a listener to a new address ("" or "0" turns it off). The new
  // socket is bound before the old one closes when possible; if the new
  // address cannot be bound the old one stays (or is bound again). A
  // coroutine because an overlapping address (*:25 -> 192.0.2.7:25) must wait
  // for the old acceptor to close on its strand. Do not rebind one listener
  // from two places at once.
  boost::asio::awaitable<result<void>> rebind(std::string name, std::string address);

  void stop();  // closes every acceptor; rebind() can bind them again

  // Where a listener is bound (to learn the port chosen for ":0"); nullopt
  // when unknown or off.
  std::optional<boost::asio::ip::tcp::endpoint> local_endpoint(std::string_view name) const;

 private:
  struct entry;
  result<void> bind_entry(entry& e, boost::asio::ip::tcp::endpoint const& at);
  void close_entry(entry& e);

  boost::asio::any_io_executor io_;
  connection_cap* cap_;
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<entry>, std::less<>> entries_;
};

}  // namespace posta::net
