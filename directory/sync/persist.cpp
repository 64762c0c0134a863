#include "directory/sync/persist.hpp"

#include "core/db/pool.hpp"
#include "core/journal/journal.hpp"
#include "core/net/blocking.hpp"
#include "core/util/crypto_hash.hpp"
#include "directory/sync/engine.hpp"
#include "directory/sync/fetch.hpp"
#include "directory/sync/persist_session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace posta::directory::sync {
namespace {

using clock = std::chrono::steady_clock;

// SECURITY: persistent searches (each a thread and an LDAP connection) on
// one node. Directory sources are few — one per directory, with a base DN or
// two — so this is far above real use; a source that would pass it is
// polled at its interval only, and the journal says so.
constexpr std::size_t max_persist_searches = 16;
// libldap does not notice a server that goes silent without closing the
// connection: no session lives longer than this, then it reconnects (and
// its refresh from the durable cookie tells what it may have missed).
constexpr auto session_life = std::chrono::minutes(5);
// Reconnecting after a failure waits this long, doubling up to the maximum.
constexpr auto first_backoff = std::chrono::seconds(1);
constexpr auto max_backoff = std::chrono::seconds(60);
// A session that lived this long was healthy: the next failure starts the
// backoff over.
constexpr auto healthy_life = std::chrono::seconds(30);
// A server without content synchronisation is asked again after this long.
constexpr auto unsupported_recheck = std::chrono::minutes(10);
// Changes arriving this close together become one pass (an administrator's
// LDIF of many entries, a group and its members).
constexpr auto coalesce = std::chrono::milliseconds(50);
// Another pass of the source is running (the interval's, a `posta directory
// sync`): it may have read the directory before the change, so ours follows.
constexpr auto busy_retry = std::chrono::milliseconds(250);

std::string cookie_of(cookies const& stored, std::string const& base) {
  for (auto const& key : {base, "groups " + base})
    if (auto it = stored.find(key); it != stored.end()) return it->second;
  return {};
}

}  // namespace

struct persist_watches::watch {
  watch(asio::any_io_executor ex, std::int64_t id, std::string name, std::string version, std::size_t bases)
      : id(id), name(std::move(name)), version(std::move(version)), bases(bases), wake(ex) {}
  ~watch() {
    for (auto& t : threads) t.request_stop();  // joined by the jthreads' destructors
  }

  std::int64_t id;
  std::string name;
  std::string version;      // the source's updated_at when the watch started
  std::size_t bases;        // searches it holds (counted against max_persist_searches)
  asio::steady_timer wake;  // cancelled by every event below
  bool stopping = false;
  bool finished = false;
  bool news = false;  // a session saw a change no pass has read yet
  bool noted_listening = false;
  bool noted_unsupported = false;
  // SECURITY: a server flooding changes queues one notification at a time.
  std::shared_ptr<std::atomic<bool>> notified = std::make_shared<std::atomic<bool>>(false);
  std::vector<session_end> ended;  // sessions that have ended
  std::vector<std::jthread> threads;

  asio::awaitable<void> sleep(clock::duration d) {
    auto const until = clock::now() + d;
    while (!stopping && clock::now() < until) {
      wake.expires_at(until);
      co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }
};

namespace {

using watch_ptr = std::shared_ptr<persist_watches::watch>;

// One incremental pass for the news, after a short wait that lets a burst
// of changes arrive; news during the pass make another pass afterwards.
asio::awaitable<void> pass(watch_ptr w, engine& e) {
  asio::steady_timer t(w->wake.get_executor());
  t.expires_after(coalesce);
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  w->news = false;
  auto const name = w->name;
  sync_options const options;
  auto done = co_await e.sync(name, options);  // failures are in the journal and the source's status
  if (!done && done.error().code == errc::conflict) {
    w->news = true;
    t.expires_after(busy_retry);
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

void start_thread(watch_ptr const& w, session_args args) {
  std::weak_ptr<persist_watches::watch> weak = w;
  auto ex = w->wake.get_executor();
  auto notified = w->notified;
  // The thread holds no strong reference: the watch (on the strand) joins it.
  w->threads.emplace_back([weak, ex, notified, args = std::move(args)](std::stop_token stop) mutable {
    auto end = listen_blocking(std::move(args), stop, [&] {
      if (notified->exchange(true)) return;
      asio::post(ex, [weak, notified] {
        notified->store(false);
        if (auto w = weak.lock()) {
          w->news = true;
          w->wake.cancel();
        }
      });
    });
    asio::post(ex, [weak, end = std::move(end)]() mutable {
      if (auto w = weak.lock()) {
        w->ended.push_back(std::move(end));
        w->wake.cancel();
      }
    });
  });
}

asio::awaitable<result<std::string>> password_of(store::source_store& sources, store::source_row const& source) {
  if (!source.has_password) co_return std::string();
  POSTA_CO_TRY_ASSIGN(auto sealed, co_await sources.sealed_password(source.id));
  co_return sources.bind_password(source.name, sealed);
}

// Sessions from the durable cookie, one per base DN; false when the server
// offers no content synchronisation. A source without a cookie (never
// synced, or its settings changed) gets its full pass first, so that the
// sessions' refresh is a short one.
asio::awaitable<result<bool>> start_sessions(watch_ptr w, engine& e) {
  auto& sources = e.sources();
  auto const name = w->name;
  POSTA_CO_TRY_ASSIGN(auto source, co_await sources.get(name));
  POSTA_CO_TRY_ASSIGN(auto password, co_await password_of(sources, source));
  struct cleansed {
    std::string& secret;
    ~cleansed() { util::cleanse(secret); }
  } guard{password};
  POSTA_CO_TRY_ASSIGN(auto stored, co_await sources.cookie(w->id));
  if (stored.empty()) {
    auto const& config = source.config;
    auto offered =
        co_await net::run_blocking([&config, &password] { return offers_content_sync_blocking(config, password); });
    if (!offered) co_return offered.error();
    if (!*offered) co_return false;
  }
  if (w->news || stored.empty()) {
    w->news = true;
    while (w->news && !w->stopping) co_await pass(w, e);
    POSTA_CO_TRY_ASSIGN(stored, co_await sources.cookie(w->id));
    if (stored.empty()) co_return make_error(errc::unavailable, "the source's first pass has not succeeded yet");
  }
  auto const from = decode_cookies(stored);
  w->ended.clear();
  for (auto const& base : source.config.base_dns)
    start_thread(w, {source.config, password, base, cookie_of(from, base)});
  co_return true;
}

// Passes for the news until a session ends, the session life is over or
// the watch stops.
asio::awaitable<void> follow(watch_ptr w, engine& e, clock::time_point until) {
  while (!w->stopping && w->ended.empty() && clock::now() < until) {
    if (w->news) {
      co_await pass(w, e);
      continue;
    }
    w->wake.expires_at(until);
    co_await w->wake.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> end_sessions(watch_ptr w) {
  for (auto& t : w->threads) t.request_stop();
  while (w->ended.size() < w->threads.size()) {
    w->wake.expires_after(std::chrono::seconds(1));
    co_await w->wake.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  // Every thread has said its last word: the joins return at once, but
  // they are joins, so not on an io thread.
  auto threads = std::move(w->threads);
  w->threads.clear();
  co_await net::run_blocking([&threads] {
    threads.clear();
    return 0;
  });
}

struct session_summary {
  bool unsupported = false;
  bool connected = false;
  std::optional<std::string> failure;
};

session_summary summarize(std::vector<session_end> const& ended) {
  session_summary s;
  for (auto const& end : ended) {
    s.unsupported = s.unsupported || end.unsupported;
    s.connected = s.connected || end.connected;
    if (!end.outcome && !s.failure) s.failure = end.outcome.error().message();
  }
  return s;
}

void note_listening(persist_watches::watch& w, std::size_t bases) {
  if (w.noted_listening) return;
  w.noted_listening = true;
  journal::record(journal::level::info, "directory", "directory persist mode: listening for changes",
                  {{"source", w.name}, {"searches", bases}});
}

asio::awaitable<void> run_watch(watch_ptr w, engine& e) {
  auto backoff = std::chrono::duration_cast<clock::duration>(first_backoff);
  while (!w->stopping) {
    auto const began = clock::now();
    auto started = co_await start_sessions(w, e);
    if (started && *started) {
      note_listening(*w, w->threads.size());
      co_await follow(w, e, began + session_life);
      co_await end_sessions(w);
    }
    if (w->stopping) break;
    auto s = started ? summarize(w->ended) : session_summary{false, false, started.error().message()};
    s.unsupported = s.unsupported || (started && !*started);
    w->ended.clear();
    if (s.unsupported) {
      if (!std::exchange(w->noted_unsupported, true))
        journal::record(journal::level::info, "directory",
                        "directory persist mode: the server offers no content synchronisation; polling only",
                        {{"source", w->name}});
      co_await w->sleep(unsupported_recheck);
      continue;
    }
    if (!s.failure) continue;  // the session life ended: listen again at once
    // A session that was connected may have missed a change while it
    // failed: the next start passes first.
    w->news = w->news || s.connected;
    if (clock::now() - began > healthy_life) backoff = first_backoff;
    w->noted_listening = false;
    journal::record(journal::level::warning, "directory", "directory persist mode: listening failed",
                    {{"source", w->name},
                     {"error", *s.failure},
                     {"retry_seconds", std::chrono::duration_cast<std::chrono::seconds>(backoff).count()}});
    co_await w->sleep(backoff);
    backoff = std::min<clock::duration>(backoff * 2, max_backoff);
  }
  if (!w->threads.empty()) co_await end_sessions(w);
  w->finished = true;
}

}  // namespace

persist_watches::~persist_watches() = default;

void persist_watches::stop(watch& w) {
  w.stopping = true;
  w.wake.cancel();
}

asio::awaitable<void> persist_watches::reconcile(asio::any_io_executor strand) {
  auto wanted = co_await engine_.sources().pool().q(
      "SELECT id, name, updated_at::text, jsonb_array_length(config->'base_dns') FROM directory_sources "
      "WHERE enabled AND (config->>'sync_interval_seconds')::int > 0 AND config->>'profile' <> 'ad' ORDER BY name");
  if (!wanted) co_return;  // the database is away: the next tick tries again
  std::map<std::int64_t, std::string> versions;
  for (int i = 0; i < wanted->size(); ++i) versions[wanted->i64(i, 0)] = wanted->str(i, 2);
  for (auto& [id, w] : watches_) {
    auto const it = versions.find(id);
    if (it == versions.end() || it->second != w->version) stop(*w);
  }
  std::erase_if(watches_, [](auto const& kv) { return kv.second->finished; });
  std::size_t used = 0;
  for (auto const& [id, w] : watches_) used += w->bases;
  for (int i = 0; i < wanted->size(); ++i) {
    auto const id = wanted->i64(i, 0);
    auto const name = wanted->str(i, 1);
    auto const bases = static_cast<std::size_t>(wanted->i64(i, 3));
    if (watches_.count(id)) continue;  // running, or stopping before its restart
    if (used + bases > max_persist_searches) {
      if (noted_over_limit_.insert(name).second)
        journal::record(journal::level::warning, "directory",
                        "directory persist mode: too many persistent searches on this node; polling only",
                        {{"source", name}, {"limit", max_persist_searches}});
      continue;
    }
    used += bases;
    noted_over_limit_.erase(name);
    auto w = std::make_shared<watch>(strand, id, name, wanted->str(i, 2), bases);
    watches_.emplace(id, w);
    asio::co_spawn(strand, run_watch(w, engine_), [w](std::exception_ptr e) {
      w->finished = true;
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (std::exception const& ex) {
        journal::record(journal::level::error, "directory", "directory persist mode failed",
                        {{"source", w->name}, {"error", ex.what()}});
      }
    });
  }
}

void persist_watches::stop_all() {
  for (auto& [id, w] : watches_) stop(*w);
}

bool persist_watches::all_finished() const {
  return std::all_of(watches_.begin(), watches_.end(), [](auto const& kv) { return kv.second->finished; });
}

}  // namespace posta::directory::sync
