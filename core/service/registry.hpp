// The service registry: each service (smtp, imap, http, queue runner, …)
// reports its state and can be enabled or disabled at run time. The choice is
// stored in the `services` table and survives restarts.
#pragma once

#include "core/db/pool.hpp"

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace posta::service {

enum class state { stopped, running, failed };
std::string_view state_name(state s);

struct status {
  std::string name;
  bool enabled = true;
  state current = state::stopped;
  std::string detail;  // "listening on 127.0.0.1:2525", or why it failed
};

struct hooks {
  std::function<asio::awaitable<result<std::string>>()> start;  // returns a detail line
  std::function<asio::awaitable<void>()> stop;
  bool can_disable = true;  // false for the service that carries the admin API
  bool carries_api = false; // started after all others (http, https)
  // False when the bootstrap file turns the service off (listener "0"):
  // it is then reported as stopped, not started.
  std::function<bool()> configured = [] { return true; };
};

class registry {
 public:
  explicit registry(db::pool& pool) : pool_(pool) {}

  void add(std::string name, hooks h);  // at start-up, before start_enabled()

  // Starts every service that is enabled (all, unless the table says otherwise).
  asio::awaitable<void> start_enabled();
  asio::awaitable<void> stop_all();

  asio::awaitable<result<status>> enable(std::string name);
  asio::awaitable<result<status>> disable(std::string name);
  // Stops and starts a running service (e.g. after its listener address changed).
  asio::awaitable<result<status>> restart(std::string name);

  std::vector<status> list() const;
  result<status> get(std::string const& name) const;

 private:
  struct entry {
    hooks h;
    status st;
  };
  asio::awaitable<void> start_one(std::string const& name);
  asio::awaitable<void> stop_one(std::string const& name);
  asio::awaitable<result<void>> persist(std::string const& name, bool enabled);
  // Stores the choice, then starts or stops the service.
  asio::awaitable<result<status>> set_enabled(std::string const& name, bool enabled);
  entry* find(std::string const& name);

  db::pool& pool_;
  mutable std::mutex mutex_;
  std::map<std::string, entry> services_;
};

}  // namespace posta::service
