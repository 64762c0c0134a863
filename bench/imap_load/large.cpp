// SELECT and UID FETCH 1:* (FLAGS) of one big mailbox, best of --runs: each
// run opens a new connection and logs in (not timed), so no run profits from
// what the previous session had cached in the connection.
#include "bench/imap_load/large.hpp"

#include "bench/imap_load/connection.hpp"
#include "bench/imap_load/stats.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <fmt/format.h>

#include <chrono>
#include <iostream>

namespace posta::bench::imap_load {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using clock = std::chrono::steady_clock;

struct large_result {
  std::vector<std::uint32_t> select_us, fetch_us;
  std::uint32_t exists = 0;
  std::size_t fetched = 0, fetch_bytes = 0;
  std::string failure;
  bool timed_out = false;
};

std::uint32_t to_us(clock::duration d) {
  return static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
}

asio::awaitable<bool> one_run(options const& opts, tcp::endpoint server, large_result& out, connection*& current,
                              asio::ssl::context& tls) {
  auto ex = co_await asio::this_coro::executor;
  connection c(ex, server);
  current = &c;
  bool const opened = co_await c.open();
  if (!opened) {
    out.failure = "connect";
    co_return false;
  }
  if (opts.starttls) {
    bool const secured = co_await c.starttls(tls);
    if (!secured) {
      out.failure = "starttls";
      co_return false;
    }
  }
  std::string const user = expand(opts.user_format, 1), password = expand(opts.password_format, 1);
  auto login = co_await c.login(user, password);
  if (!login.ok()) {
    out.failure = "login " + login.status;
    co_return false;
  }
  std::string const select = "SELECT \"" + opts.mailbox + "\"";
  auto t0 = clock::now();
  auto sel = co_await c.command(select);
  auto t1 = clock::now();
  if (!sel.ok()) {
    out.failure = "select " + sel.status;
    co_return false;
  }
  out.select_us.push_back(to_us(t1 - t0));
  out.exists = c.exists();
  std::string const fetch = "UID FETCH 1:* (FLAGS)";
  t0 = clock::now();
  auto f = co_await c.command(fetch);
  t1 = clock::now();
  if (!f.ok()) {
    out.failure = "fetch " + f.status;
    co_return false;
  }
  out.fetch_us.push_back(to_us(t1 - t0));
  out.fetched = f.fetches;
  out.fetch_bytes = f.bytes;
  std::string const logout = "LOGOUT";
  auto bye = co_await c.command(logout);
  (void)bye;
  co_return true;
}

asio::awaitable<void> all_runs(options const& opts, tcp::endpoint server, large_result& out, connection*& current,
                               asio::steady_timer& timer, asio::ssl::context& tls) {
  for (std::size_t i = 0; i < opts.runs; ++i) {
    bool const ok = co_await one_run(opts, server, out, current, tls);
    current = nullptr;  // the run's connection is gone with its frame
    if (!ok) break;
  }
  timer.cancel();
}

// best / median / first of the runs, in ms.
struct figures {
  double best = 0, median = 0, first = 0;
};

figures summary(std::vector<std::uint32_t> us) {
  figures f;
  if (us.empty()) return f;
  f.first = us.front() / 1000.0;
  std::sort(us.begin(), us.end());
  f.best = us.front() / 1000.0;
  f.median = us[us.size() / 2] / 1000.0;
  return f;
}

}  // namespace

std::string run_large(options const& opts, bool& ok) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(opts.host, ec);
  if (ec) {
    ok = false;
    return "imap_load: --host must be a numeric address\n";
  }
  asio::io_context io(1);
  large_result r;
  connection* current = nullptr;
  asio::steady_timer timer(io, std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(opts.timeout_seconds)));
  // SECURITY: the hard bound: the timer closes the connection in use.
  timer.async_wait([&](boost::system::error_code e) {
    if (e) return;
    r.timed_out = true;
    if (current) current->close();
  });
  asio::ssl::context tls(asio::ssl::context::tls_client);
  asio::co_spawn(io, all_runs(opts, tcp::endpoint(address, opts.port), r, current, timer, tls), asio::detached);
  io.run();
  ok = r.failure.empty() && !r.timed_out && r.fetch_us.size() == opts.runs;
  auto s = summary(r.select_us), f = summary(r.fetch_us);
  std::string target = opts.host + ":" + std::to_string(opts.port);
  if (opts.json)
    return fmt::format(
        "{{\"target\":{},\"mode\":\"large\",\"mailbox\":{},\"exists\":{},\"runs\":{},\"completed_runs\":{},"
        "\"select_ms\":{{\"best\":{:.3f},\"median\":{:.3f},\"first\":{:.3f}}},"
        "\"fetch_flags_ms\":{{\"best\":{:.3f},\"median\":{:.3f},\"first\":{:.3f}}},\"fetched\":{},\"fetch_bytes\":{},"
        "\"failure\":{},\"timed_out\":{}}}\n",
        json_string(target), json_string(opts.mailbox), r.exists, opts.runs, r.fetch_us.size(), s.best, s.median,
        s.first, f.best, f.median, f.first, r.fetched, r.fetch_bytes, json_string(r.failure), r.timed_out);
  return fmt::format(
      "imap_load large {} {}: {} messages, {} of {} runs\n"
      "  SELECT                 best {:.2f} ms  median {:.2f} ms  first {:.2f} ms\n"
      "  UID FETCH 1:* (FLAGS)  best {:.2f} ms  median {:.2f} ms  first {:.2f} ms  ({} FETCH responses, {} bytes)\n{}",
      target, opts.mailbox, r.exists, r.fetch_us.size(), opts.runs, s.best, s.median, s.first, f.best, f.median,
      f.first, r.fetched, r.fetch_bytes,
      r.failure.empty() ? (r.timed_out ? "  TIMED OUT\n" : "") : "  failure: " + r.failure + "\n");
}

}  // namespace posta::bench::imap_load
