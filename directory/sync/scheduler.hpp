// The service "directory": syncs every enabled source whose
// sync_interval_seconds has passed since its last pass started, one source
// at a time, and keeps persist mode's watches (persist.hpp) in step with the
// sources' settings: with content synchronisation a change is applied when
// the server announces it, the interval being the safety net. Can be
// disabled like the other services; `posta directory sync` works either way.
#pragma once

#include "core/util/async.hpp"
#include "core/util/result.hpp"
#include "directory/sync/persist.hpp"

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
  scheduler(db::pool& pool, engine& engine) : pool_(pool), engine_(engine), watches_(engine) {}

  asio::awaitable<result<std::string>> start(asio::any_io_executor executor);
  asio::awaitable<void> stop();

 private:
  struct state;
  static asio::awaitable<void> stop_on_strand(std::shared_ptr<state> s, persist_watches& watches);
  static asio::awaitable<void> loop(std::shared_ptr<state> s, db::pool& pool, engine& engine, persist_watches& watches);

  db::pool& pool_;
  engine& engine_;
  persist_watches watches_;
  std::shared_ptr<state> state_;
};

}  // namespace posta::directory::sync
