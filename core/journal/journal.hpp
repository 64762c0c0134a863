// The server journal: structured events (time, level, service, text, fields)
// written to stderr at once and to the `journal` table in batches, queryable
// by date with paging. The mail log of Postfix and the event log of Kerio in one.
#pragma once

#include "core/db/pool.hpp"
#include "core/journal/log.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace posta::journal {

std::string_view level_name(level l);  // level: see log.hpp
std::optional<level> parse_level(std::string_view name);

struct event {
  level lvl = level::info;
  std::string service;  // "smtp", "imap", "http", "core", …
  std::string text;
  boost::json::object fields;
  std::chrono::system_clock::time_point at = std::chrono::system_clock::now();
};

// Records an event: stderr now, the database soon (if a sink is installed).
// SECURITY: callers never put secrets (passwords, tokens) into events.
void record(event e);
inline void record(level l, std::string service, std::string text, boost::json::object fields = {}) {
  record(event{l, std::move(service), std::move(text), std::move(fields)});
}

// Batches events into PostgreSQL. The queue is bounded: while the database is
// unreachable the oldest entries are dropped (they are still on stderr).
class sink {
 public:
  explicit sink(db::pool& pool, std::size_t max_queue = 100000);
  ~sink();
  void push(event e);
  asio::awaitable<void> run();          // flushes every 200 ms until stop()
  asio::awaitable<void> flush_now();    // at shutdown
  void stop();

 private:
  asio::awaitable<result<void>> write(std::vector<event> batch);
  db::pool& pool_;
  std::size_t max_queue_;
  std::mutex mutex_;
  std::deque<event> queue_;
  std::size_t dropped_ = 0;
  bool stopping_ = false;
  bool failing_ = false;  // only touched by the flushing coroutine
};

void install_sink(sink* s);  // nullptr to uninstall

// Makes stderr logging asynchronous (at start-up): lines go through a bounded
// queue to one writer thread, so an io thread never waits for the terminal or
// a full pipe. SECURITY: when the queue is full the oldest lines are dropped
// and counted (dropped_stderr_lines()); the database journal is unaffected.
void use_async_stderr(std::size_t max_queued_lines = 8192);
std::size_t dropped_stderr_lines();
void flush_stderr();  // writes what is queued and stops the writer (at exit)

struct query {
  std::string date;  // YYYY-MM-DD (UTC)
  int page = 1;
  int page_size = 100;
  std::optional<level> min_level;
  std::optional<std::string> service;
};

struct stored_event {
  std::int64_t id;
  std::string time;  // ISO 8601 UTC
  std::string lvl;
  std::string service;
  std::string text;
  std::string fields_json;
};

struct page {
  std::int64_t total = 0;
  std::vector<stored_event> entries;
};

result<void> validate(query const& q);
asio::awaitable<result<page>> list(db::pool& pool, query q);
asio::awaitable<result<std::int64_t>> purge_older_than(db::pool& pool, int days);

}  // namespace posta::journal
