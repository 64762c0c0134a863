// The service "directory": syncs every enabled source whose
// sync_interval_seconds has passed since its last pass started, one source
// at a time. Can be disabled like the other services; `posta directory
// sync` works either way.
#pragma once

#include "core/util/async.hpp"
#include "core/util/result.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <memory>
#include <optional>
#include <string>

namespace posta::db {
class pool;
}

namespace posta::directory::sync {

class engine;

class scheduler {
 public:
  scheduler(db::pool& pool, engine& engine) : pool_(pool), engine_(engine) {}

  asio::awaitable<result<std::string>> start(asio::any_io_executor executor);
  asio::awaitable<void> stop();

 private:
  struct state;
  static asio::awaitable<void> loop(std::shared_ptr<state> s, db::pool& pool, engine& engine);

  db::pool& pool_;
  engine& engine_;
  std::shared_ptr<state> state_;
};

}  // namespace posta::directory::sync
