// Persist mode (issue 12 "OpenLDAP … persist mode: a change visible within
// two seconds"): for every enabled source with automatic sync whose server
// offers RFC 4533 content synchronisation, refreshAndPersist searches held
// open (persist_session.hpp, one thread per base DN) say when something
// changed, and an ordinary incremental pass from the durable cookie
// (engine::sync) applies it at once — so durability and planning stay on one
// path. Bursts of changes become one pass; a dropped search reconnects with
// backoff; the scheduler's interval polling stays the safety net.
#pragma once

#include "core/util/async.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

namespace posta::directory::sync {

class engine;

class persist_watches {
 public:
  explicit persist_watches(engine& e) : engine_(e) {}
  ~persist_watches();
  persist_watches(persist_watches const&) = delete;
  persist_watches& operator=(persist_watches const&) = delete;

  // Called by the scheduler at every tick, on its strand: starts a watch for
  // each source that should have one, restarts the watch of a source whose
  // settings changed (its updated_at moved) and stops those of sources
  // removed, disabled, set to manual sync (interval 0) or to the ad profile.
  asio::awaitable<void> reconcile(asio::any_io_executor strand);

  // At shutdown: every watch stops listening (seen within the sessions'
  // poll, or when a connection attempt times out); all_finished() says when.
  void stop_all();
  bool all_finished() const;

  struct watch;  // one source's sessions and passes (persist.cpp)

 private:
  void stop(watch& w);

  engine& engine_;
  std::map<std::int64_t, std::shared_ptr<watch>> watches_;  // by source id
  std::set<std::string> noted_over_limit_;                  // sources journalled as polled only
};

}  // namespace posta::directory::sync
