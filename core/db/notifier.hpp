// LISTEN/NOTIFY fan-out: one dedicated connection listens on every subscribed
// channel and calls the subscribers; it reconnects (and re-LISTENs) after a
// failure. Cross-node events (new mail, settings changes) travel this way.
#pragma once

#include "core/db/connection.hpp"

#include <functional>
#include <map>
#include <mutex>

namespace posta::db {

class notifier {
 public:
  notifier(asio::any_io_executor executor, std::string conninfo);

  // Handlers run on the notifier's coroutine; they must be quick and post
  // real work elsewhere. Subscribe before run() starts, or at any time after.
  void subscribe(std::string channel, notify_handler handler);

  // Called on the notifier's coroutine after every (re)connection has
  // LISTENed: notifications sent while it was away are lost, so listeners
  // that must not miss a change re-check their state.
  void on_connected(std::function<void()> callback);

  // Runs until the executor stops; survives database restarts.
  asio::awaitable<void> run();

 private:
  asio::awaitable<result<void>> listen_all(connection& conn);
  void deliver(std::string const& channel, std::string const& payload);

  asio::any_io_executor executor_;
  std::string conninfo_;
  std::mutex mutex_;
  std::multimap<std::string, notify_handler> handlers_;
  bool pending_listen_ = false;
  std::vector<std::function<void()>> connected_callbacks_;
};

// NOTIFY from any connection: the payload is a parameter, the channel an identifier.
asio::awaitable<result<void>> notify(connection& conn, std::string const& channel, std::string const& payload);

}  // namespace posta::db
