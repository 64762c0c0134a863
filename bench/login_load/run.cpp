// One io_context, one thread: the client stays small next to the server it
// measures (both share this machine's cores).
#include "bench/login_load/run.hpp"

#include "bench/lib/latency.hpp"
#include "bench/lib/proc_tree.hpp"
#include "bench/login_load/client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <numeric>

namespace posta::bench::login_load {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using clock = std::chrono::steady_clock;

std::uint32_t to_us(clock::duration d) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  return static_cast<std::uint32_t>(std::clamp<long long>(us, 0, UINT32_MAX));
}

char const* protocol_name(protocol p) {
  switch (p) {
    case protocol::imap: return "imap";
    case protocol::smtp: return "smtp";
    case protocol::ldap: return "ldap";
  }
  return "?";
}

struct shared_state {
  shared_state(options const& o, tcp::endpoint e) : opts(o), server(e) {}

  options const& opts;
  tcp::endpoint server;
  asio::ssl::context tls{asio::ssl::context::tls_client};  // verify_none: a private server on loopback
  run_stats stats;
  std::size_t next = 0;  // login numbers handed out, warm-up included
  clock::time_point measured_start{}, last_end{};
  bool measuring = false;
  std::vector<std::uint64_t> cpu_start;
  std::size_t running = 0;               // workers still taking logins
  asio::steady_timer* limit = nullptr;   // the hard timeout, cancelled by the last worker

  void worker_done() {
    if (--running == 0 && limit) limit->cancel();
  }

  // The next login number, or false when the run is over.
  bool take(std::size_t& n) {
    auto const total = opts.logins == 0 ? SIZE_MAX : opts.warmup + opts.logins;
    if (next >= total) return false;
    if (measuring && opts.duration_seconds > 0 &&
        clock::now() - measured_start > std::chrono::duration<double>(opts.duration_seconds))
      return false;
    n = next++;
    if (n == opts.warmup) start_measuring();
    return true;
  }

  void start_measuring() {
    measuring = true;
    measured_start = clock::now();
    for (int pid : opts.cpu_pids) cpu_start.push_back(tree_cpu_ticks(pid));
  }

  void note(std::size_t n, std::string const& failure, clock::time_point t0, clock::time_point logged_in) {
    if (n < opts.warmup) return;
    auto const now = clock::now();
    last_end = std::max(last_end, now);
    if (!failure.empty()) {
      ++stats.failures[failure];
      return;
    }
    ++stats.completed;
    stats.login_us.push_back(to_us(logged_in - t0));
    stats.cycle_us.push_back(to_us(now - t0));
  }
};

// IMAP and SMTP: a new connection per login, as a mail client makes.
asio::awaitable<void> mail_worker(shared_state& s) {
  auto ex = co_await asio::this_coro::executor;
  for (std::size_t n = 0; s.take(n);) {
    auto const user = expand(s.opts.user_format, n % s.opts.users);
    auto const password = expand(s.opts.password_format, n % s.opts.users);
    auto const t0 = clock::now();
    client c(ex, s.server);
    bool const opened = co_await c.open(nullptr);
    std::string failure = "connect";
    if (opened && s.opts.proto == protocol::imap) failure = co_await c.imap_login(user, password, !s.opts.no_login);
    if (opened && s.opts.proto == protocol::smtp) failure = co_await c.smtp_login(user, password, !s.opts.no_login);
    c.close();
    s.note(n, failure, t0, c.logged_in_at());
  }
  s.worker_done();
}

// LDAP: binds on one kept connection, as Posta's bind pool does.
asio::awaitable<void> ldap_worker(shared_state& s) {
  auto ex = co_await asio::this_coro::executor;
  std::unique_ptr<client> c;
  for (std::size_t n = 0; s.take(n);) {
    auto const dn = expand(s.opts.user_format, n % s.opts.users);
    auto const password = expand(s.opts.password_format, n % s.opts.users);
    auto const t0 = clock::now();
    std::string failure;
    if (!c) {
      c = std::make_unique<client>(ex, s.server);
      bool const opened = co_await c->open(s.opts.tls ? &s.tls : nullptr);
      if (!opened) failure = "connect";
    }
    if (failure.empty()) failure = co_await c->ldap_bind(dn, password, s.opts.search_attributes);
    if (!failure.empty() && c) {
      c->close();
      c.reset();
    }
    s.note(n, failure, t0, c ? c->logged_in_at() : t0);
  }
  if (c) c->close();
  s.worker_done();
}

}  // namespace

run_stats run(options const& o) {
  asio::io_context io(1);
  shared_state s(o, tcp::endpoint(asio::ip::make_address(o.host), o.port));
  if (o.warmup == 0) s.start_measuring();
  s.running = o.connections;
  for (std::size_t i = 0; i < o.connections; ++i) {
    if (o.proto == protocol::ldap) asio::co_spawn(io, ldap_worker(s), asio::detached);
    else asio::co_spawn(io, mail_worker(s), asio::detached);
  }
  asio::steady_timer limit(io, std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(o.timeout_seconds)));
  limit.async_wait([&](boost::system::error_code ec) {
    if (ec) return;
    s.stats.timed_out = true;
    io.stop();
  });
  s.limit = &limit;
  io.run();
  s.stats.seconds = std::chrono::duration<double>(s.last_end - s.measured_start).count();
  for (std::size_t i = 0; i < o.cpu_pids.size() && i < s.cpu_start.size(); ++i)
    s.stats.cpu_ms.push_back(static_cast<double>(tree_cpu_ticks(o.cpu_pids[i]) - s.cpu_start[i]) * ms_per_tick());
  return s.stats;
}

namespace {

std::size_t failed(run_stats const& s) {
  return std::accumulate(s.failures.begin(), s.failures.end(), std::size_t{0},
                         [](std::size_t n, auto const& kv) { return n + kv.second; });
}

double rate(run_stats const& s) { return s.seconds > 0 ? static_cast<double>(s.completed) / s.seconds : 0; }

}  // namespace

std::string format_text(options const& o, run_stats& s) {
  auto login = summarise(s.login_us);
  auto cycle = summarise(s.cycle_us);
  std::string out = fmt::format(
      "login_load {} {}:{}: {} connections, {} logins ({} failed){}\n"
      "  time    {:.3f} s\n"
      "  rate    {:.1f} logins/s\n"
      "  login   p50 {:.2f} ms  p99 {:.2f} ms  max {:.2f} ms\n"
      "  cycle   p50 {:.2f} ms  p99 {:.2f} ms  (with {})\n",
      protocol_name(o.proto), o.host, o.port, o.connections, s.completed, failed(s), s.timed_out ? "  TIMED OUT" : "",
      s.seconds, rate(s), login.p50_ms, login.p99_ms, login.max_ms, cycle.p50_ms, cycle.p99_ms,
      o.proto == protocol::ldap ? "the base search" : "LOGOUT/QUIT");
  for (std::size_t i = 0; i < s.cpu_ms.size(); ++i)
    out += fmt::format("  cpu     pid {}: {:.1f} ms, {:.3f} ms per login\n", o.cpu_pids[i], s.cpu_ms[i],
                       s.completed ? s.cpu_ms[i] / static_cast<double>(s.completed) : 0.0);
  for (auto const& [k, v] : s.failures) out += fmt::format("  failure {}: {}\n", k, v);
  return out;
}

std::string format_json(options const& o, run_stats& s) {
  auto login = summarise(s.login_us);
  auto cycle = summarise(s.cycle_us);
  std::string cpu = "[";
  for (std::size_t i = 0; i < s.cpu_ms.size(); ++i)
    cpu += fmt::format("{}{{\"pid\":{},\"ms\":{:.1f},\"ms_per_login\":{:.4f}}}", i ? "," : "", o.cpu_pids[i],
                       s.cpu_ms[i], s.completed ? s.cpu_ms[i] / static_cast<double>(s.completed) : 0.0);
  cpu += ']';
  std::string fails = "{";
  for (auto const& [k, v] : s.failures) fails += (fails.size() > 1 ? "," : "") + json_string(k) + ":" + std::to_string(v);
  fails += '}';
  return fmt::format(
      "{{\"protocol\":\"{}\",\"connections\":{},\"logins\":{},\"failed\":{},\"seconds\":{:.4f},"
      "\"logins_per_second\":{:.1f},\"login_ms\":{{\"p50\":{:.3f},\"p99\":{:.3f},\"max\":{:.3f}}},"
      "\"cycle_ms\":{{\"p50\":{:.3f},\"p99\":{:.3f}}},\"cpu\":{},\"failures\":{},\"timed_out\":{}}}",
      protocol_name(o.proto), o.connections, s.completed, failed(s), s.seconds, rate(s), login.p50_ms, login.p99_ms,
      login.max_ms, cycle.p50_ms, cycle.p99_ms, cpu, fails, s.timed_out);
}

}  // namespace posta::bench::login_load
