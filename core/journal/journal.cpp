// Journal recording: the process log (log.hpp) for stderr, a bounded queue
// for the database.
#include "core/journal/journal.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/async.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "core/util/utf8.hpp"

#include <atomic>

namespace posta::journal {
namespace {

std::atomic<sink*> installed{nullptr};

// Events carry what clients sent (logins, addresses): bytes that jsonb cannot
// hold (ill-formed UTF-8, NUL) are replaced, so one such event cannot make
// the INSERT of its whole batch fail.
boost::json::string storable(std::string_view s) {
  if (!util::first_unstorable_byte(s)) return boost::json::string(s);
  return boost::json::string(util::sanitize_utf8(s));
}

void make_storable(boost::json::value& v) {
  if (auto* str = v.if_string()) {
    if (util::first_unstorable_byte(*str)) *str = storable(*str);
  } else if (auto* arr = v.if_array()) {
    for (auto& item : *arr) make_storable(item);
  } else if (auto* obj = v.if_object()) {
    boost::json::object clean;
    for (auto& [key, item] : *obj) {
      make_storable(item);
      clean[storable(key)] = std::move(item);
    }
    *obj = std::move(clean);
  }
}

}  // namespace

std::string_view level_name(level l) {
  switch (l) {
    case level::debug: return "debug";
    case level::info: return "info";
    case level::warning: return "warning";
    case level::error: return "error";
  }
  return "info";
}

std::optional<level> parse_level(std::string_view name) {
  for (auto l : {level::debug, level::info, level::warning, level::error})
    if (level_name(l) == name) return l;
  return std::nullopt;
}

void record(event e) {
  std::string line = "[" + e.service + "] " + e.text;
  if (!e.fields.empty()) line += " " + boost::json::serialize(e.fields);
  write_log(e.lvl, line);
  if (e.lvl == level::debug) return;
  if (auto* s = installed.load()) s->push(std::move(e));
}

void install_sink(sink* s) { installed.store(s); }

void use_async_stderr(std::size_t max_queued_lines) {
  spdlog::init_thread_pool(max_queued_lines, 1);
  auto logger = spdlog::create_async_nb<spdlog::sinks::stderr_color_sink_mt>("posta");
  logger->set_level(spdlog::default_logger()->level());
  spdlog::set_default_logger(std::move(logger));
}

std::size_t dropped_stderr_lines() {
  auto pool = spdlog::thread_pool();
  return pool ? pool->overrun_counter() : 0;
}

void flush_stderr() {
  if (auto n = dropped_stderr_lines(); n > 0) spdlog::warn("{} log lines were dropped (stderr queue full)", n);
  spdlog::shutdown();
}

sink::sink(db::pool& pool, std::size_t max_queue) : pool_(pool), max_queue_(max_queue) {}

sink::~sink() {
  if (installed.load() == this) install_sink(nullptr);
}

void sink::push(event e) {
  std::lock_guard lock(mutex_);
  if (queue_.size() >= max_queue_) {
    queue_.pop_front();
    ++dropped_;
  }
  queue_.push_back(std::move(e));
}

void sink::stop() {
  std::lock_guard lock(mutex_);
  stopping_ = true;
}

asio::awaitable<void> sink::run() {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(std::chrono::milliseconds(200));
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    {
      std::lock_guard lock(mutex_);
      if (stopping_ || ec) co_return;
    }
    co_await flush_now();
  }
}

asio::awaitable<void> sink::flush_now() {
  for (;;) {
    std::vector<event> batch;
    {
      std::lock_guard lock(mutex_);
      while (!queue_.empty() && batch.size() < 500) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (batch.empty()) co_return;
    auto written = co_await write(std::move(batch));
    if (!written) {
      // Said once per outage, not once per flush; the events are on stderr.
      if (!failing_) log(level::warning, "journal: cannot write to the database: {}", written.error().message());
      failing_ = true;
      co_return;
    }
    failing_ = false;
  }
}

// One multi-row INSERT per batch: rows are passed as parallel arrays.
asio::awaitable<result<void>> sink::write(std::vector<event> batch) {
  boost::json::array at, lvl, service, text, fields;
  for (auto const& e : batch) {
    auto secs = std::chrono::duration<double>(e.at.time_since_epoch()).count();
    at.push_back(secs);
    lvl.push_back(boost::json::string(level_name(e.lvl)));
    service.push_back(storable(e.service));
    text.push_back(storable(e.text));
    boost::json::value f = e.fields;
    make_storable(f);
    fields.push_back(std::move(f));
  }
  POSTA_CO_TRY(co_await pool_.q(
      "INSERT INTO journal(at, level, service, text, fields) "
      "SELECT to_timestamp((a->>i)::float8), l->>i, s->>i, t->>i, f->i "
      "FROM (SELECT $1::jsonb a, $2::jsonb l, $3::jsonb s, $4::jsonb t, $5::jsonb f) v, "
      "generate_series(0, jsonb_array_length($1::jsonb) - 1) i",
      boost::json::serialize(at), boost::json::serialize(lvl), boost::json::serialize(service),
      boost::json::serialize(text), boost::json::serialize(fields)));
  co_return result<void>{};
}

}  // namespace posta::journal
