// The load and idle runs: one thread, one coroutine per client for reading,
// a few login workers (at most --login-concurrency logins at once, so that
// the server's listen backlog does not drop SYNs), and one sender per client
// in the message phase.
#include "bench/xmpp_load/load.hpp"

#include "bench/lib/latency.hpp"
#include "bench/lib/proc_tree.hpp"
#include "bench/xmpp_load/connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <iostream>
#include <map>
#include <numeric>
#include <sys/resource.h>

namespace posta::bench::xmpp_load {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using clock = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// CPU milliseconds this process has used (the load generator's own cost:
// it shares the machine with the server).
double own_cpu_ms() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto ms = [](timeval const& t) {
    return static_cast<double>(t.tv_sec) * 1000.0 + static_cast<double>(t.tv_usec) / 1000.0;
  };
  return ms(u.ru_utime) + ms(u.ru_stime);
}

std::uint32_t to_us(clock::duration d) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  return static_cast<std::uint32_t>(std::clamp<long long>(us, 0, UINT32_MAX));
}

double seconds(clock::time_point a, clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

clock::duration from_seconds(double s) {
  return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(s));
}

struct client_state {
  std::unique_ptr<connection> conn;
  std::unique_ptr<asio::steady_timer> wake;  // cancelled when a message of this client arrives
  bool ready = false;
  std::size_t in_flight = 0;
};

struct run_state {
  run_state(options const& o, asio::io_context& i, tcp::endpoint e)
      : opts(o),
        io(i),
        server(e),
        clients(o.clients),
        logins_left(o.clients),
        watchdog(i, from_seconds(o.timeout_seconds)),
        settle(i),
        grace(i) {}

  options const& opts;
  asio::io_context& io;
  tcp::endpoint server;
  asio::ssl::context tls{asio::ssl::context::tls_client};  // verify_none by default
  std::vector<client_state> clients;
  std::size_t next_login = 0, logins_left, ready = 0;
  std::size_t expected = 0, sent = 0, delivered = 0;
  std::map<std::string, std::size_t> failures;
  std::vector<std::uint32_t> login_us, delivery_us;
  clock::time_point epoch = clock::now(), logins_done, messages_start, last_delivery;
  bool stopping = false, timed_out = false, done = false;
  asio::steady_timer watchdog, settle, grace;
  std::size_t readers = 0;  // reader coroutines still running
  std::uint64_t cpu_start = 0;
  double cpu_ms = -1;
  double own_cpu_start = 0, own_cpu_ms = 0;  // the load generator's, message phase
  tree_memory mem_before, mem_after;

  void fail(std::string const& what) { ++failures[what]; }
  std::size_t failed() const {
    return std::accumulate(failures.begin(), failures.end(), std::size_t{0},
                           [](std::size_t n, auto const& kv) { return n + kv.second; });
  }
};

void finish_all(run_state& s);
void start_messages(run_state& s);
asio::awaitable<void> hold_idle(run_state& s);

std::string localpart(options const& o, std::size_t i) {
  return expand(o.user_format, i + 1);
}

// The peer's bound JID (a full JID: routed to that session directly).
std::string peer_jid(run_state& s, std::size_t peer) {
  auto const& j = s.clients[peer].conn->jid();
  return j.empty() ? localpart(s.opts, peer) + "@" + s.opts.domain + "/" + s.opts.resource : j;
}

// "xb SENDER SEQ MICROS xxxx…": who sent it, and when (the same clock).
std::string message(run_state& s, std::size_t from, std::size_t seq, std::string const& to) {
  auto now = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - s.epoch).count();
  std::string body = fmt::format("xb {} {} {} ", from, seq, now);
  if (body.size() < s.opts.size) body.append(s.opts.size - body.size(), 'x');
  return fmt::format("<message to='{}' type='chat' id='m{}-{}'><body>{}</body></message>", to, from, seq, body);
}

// A message arrived at client `at`: the sender's number and timestamp.
void on_message(run_state& s, std::string_view element) {
  if (attribute(element, "type") == "error") return s.fail("message bounced");
  auto body = child_text(element, "body");
  if (!body || body->substr(0, 3) != "xb ") return s.fail("message unexpected");
  std::size_t values[3] = {0, 0, 0};
  auto const* p = body->data() + 3;
  auto const* end = body->data() + body->size();
  for (auto& v : values) {
    auto r = std::from_chars(p, end, v);
    if (r.ec != std::errc{}) return s.fail("message unreadable");
    p = r.ptr + (r.ptr < end ? 1 : 0);
  }
  if (values[0] >= s.clients.size()) return s.fail("message unreadable");
  auto now = clock::now();
  auto sent_at = s.epoch + std::chrono::microseconds(values[2]);
  s.delivery_us.push_back(to_us(now - sent_at));
  s.last_delivery = now;
  ++s.delivered;
  auto& sender = s.clients[values[0]];
  if (sender.in_flight > 0) --sender.in_flight;
  if (sender.wake) sender.wake->cancel();
  if (s.delivered == s.expected) finish_all(s);
}

// Reads until the stream ends; answers iq get/set so that a server's ping
// (XEP-0199) is not left without a reply.
asio::awaitable<void> reader(run_state& s, std::size_t i) {
  auto& conn = *s.clients[i].conn;
  std::string element;
  for (;;) {
    auto ev = co_await conn.next(element);
    if (ev != scan_event::element) {
      if (!s.done && !s.stopping) s.fail(ev == scan_event::malformed ? "stream malformed" : "stream closed");
      break;
    }
    auto name = local_name(element);
    if (name == "message") {
      on_message(s, element);
    } else if (name == "iq") {
      auto type = attribute(element, "type");
      if (type != "get" && type != "set") continue;
      auto reply = fmt::format("<iq type='result' id='{}'", attribute(element, "id").value_or(""));
      if (auto from = attribute(element, "from")) reply += fmt::format(" to='{}'", *from);
      reply += "/>";
      bool const ok = co_await conn.write(reply);
      if (!ok) break;
    } else if (name == "error") {
      if (!s.done) s.fail("stream error");
      break;
    }
  }
  conn.close();
  if (--s.readers == 0) s.grace.cancel();
}

asio::awaitable<void> sender(run_state& s, std::size_t i, std::size_t peer) {
  auto& me = s.clients[i];
  std::string const to = peer_jid(s, peer);
  for (std::size_t seq = 0; seq < s.opts.messages && !s.stopping; ++seq) {
    while (me.in_flight >= s.opts.window && !s.stopping && !s.done) {
      auto [ec] = co_await me.wake->async_wait(use_tuple);
      (void)ec;
    }
    if (s.stopping || s.done) break;
    std::string const m = message(s, i, seq, to);
    ++me.in_flight;
    ++s.sent;
    bool const ok = co_await me.conn->write(m);
    if (!ok) {
      if (!s.done && !s.stopping) s.fail("send");
      break;
    }
  }
}

asio::awaitable<void> login_one(run_state& s, std::size_t i) {
  auto& c = s.clients[i];
  c.conn = std::make_unique<connection>(s.io.get_executor(), s.server);
  c.wake = std::make_unique<asio::steady_timer>(s.io, clock::time_point::max());
  credentials const who{s.opts.domain, localpart(s.opts, i), expand(s.opts.password_format, i + 1), s.opts.resource};
  auto const t0 = clock::now();
  auto failed = co_await c.conn->login(who, s.opts.starttls ? &s.tls : nullptr);
  if (failed.empty()) {
    s.login_us.push_back(to_us(clock::now() - t0));
    c.ready = true;
    ++s.ready;
    ++s.readers;
    asio::co_spawn(s.io, reader(s, i), asio::detached);
  } else {
    // Appended, not "literal" + string: g++ 12 warns falsely (-Wrestrict).
    std::string what = "login ";
    what += s.stopping ? "timeout" : failed;
    s.fail(what);
    c.conn->close();
  }
}

// All logins have ended (well or not): the next phase.
void logins_ended(run_state& s) {
  s.logins_done = clock::now();
  if (s.stopping) return;
  if (s.opts.mode == run_mode::idle) {
    asio::co_spawn(s.io, hold_idle(s), asio::detached);
  } else {
    start_messages(s);
  }
}

asio::awaitable<void> login_worker(run_state& s) {
  while (!s.stopping && s.next_login < s.clients.size()) {
    std::size_t const i = s.next_login++;
    co_await login_one(s, i);
    if (--s.logins_left == 0) logins_ended(s);
  }
}

void start_messages(run_state& s) {
  s.messages_start = s.last_delivery = clock::now();
  if (s.opts.cpu_pid > 0) s.cpu_start = tree_cpu_ticks(s.opts.cpu_pid);
  s.own_cpu_start = own_cpu_ms();
  for (std::size_t i = 0; i < s.clients.size(); ++i) {
    std::size_t const peer = i ^ 1;
    if (peer < s.clients.size() && s.clients[i].ready && s.clients[peer].ready) s.expected += s.opts.messages;
  }
  if (s.expected == 0) return finish_all(s);
  for (std::size_t i = 0; i < s.clients.size(); ++i) {
    std::size_t const peer = i ^ 1;
    if (peer < s.clients.size() && s.clients[i].ready && s.clients[peer].ready)
      asio::co_spawn(s.io, sender(s, i, peer), asio::detached);
  }
}

asio::awaitable<void> hold_idle(run_state& s) {
  s.settle.expires_after(from_seconds(s.opts.settle_seconds));
  auto [ec] = co_await s.settle.async_wait(use_tuple);
  (void)ec;
  if (s.opts.rss_pid > 0 && !s.stopping) s.mem_after = tree_memory_kb(s.opts.rss_pid);
  finish_all(s);
}

asio::awaitable<void> close_one(connection& c) {
  co_await c.finish();
}

// Streams the server has not closed within the grace period are closed here.
asio::awaitable<void> close_late(run_state& s) {
  s.grace.expires_after(std::chrono::seconds(10));
  auto [ec] = co_await s.grace.async_wait(use_tuple);
  if (ec) co_return;
  for (auto& c : s.clients)
    if (c.conn) c.conn->close();
}

// The end of the measured phase: the server's CPU reading, then every
// stream is closed (</stream:stream>; each reader ends when the server has
// answered with its own close).
void finish_all(run_state& s) {
  if (s.done) return;
  s.done = true;
  s.own_cpu_ms = own_cpu_ms() - s.own_cpu_start;
  if (s.opts.cpu_pid > 0 && s.opts.mode == run_mode::load)
    s.cpu_ms = static_cast<double>(tree_cpu_ticks(s.opts.cpu_pid) - s.cpu_start) * ms_per_tick();
  s.watchdog.cancel();
  if (s.readers > 0) asio::co_spawn(s.io, close_late(s), asio::detached);
  for (auto& c : s.clients) {
    if (c.wake) c.wake->cancel();
    if (c.conn && c.ready) asio::co_spawn(s.io, close_one(*c.conn), asio::detached);
  }
}

// SECURITY: the hard bound on the run: when it fires no new login or
// message starts and every socket is closed, which ends every pending read
// and write.
asio::awaitable<void> watchdog(run_state& s) {
  auto [ec] = co_await s.watchdog.async_wait(use_tuple);
  if (ec) co_return;
  s.stopping = s.timed_out = true;
  s.settle.cancel();
  s.grace.cancel();
  for (auto& c : s.clients) {
    if (c.wake) c.wake->cancel();
    if (c.conn) c.conn->close();
  }
}

bool run(run_state& s) {
  if (s.opts.rss_pid > 0) s.mem_before = tree_memory_kb(s.opts.rss_pid);
  asio::co_spawn(s.io, watchdog(s), asio::detached);
  std::size_t const workers = std::min(s.opts.login_concurrency, s.clients.size());
  for (std::size_t w = 0; w < workers; ++w) asio::co_spawn(s.io, login_worker(s), asio::detached);
  s.io.run();
  return !s.timed_out && s.failed() == 0 && s.ready == s.clients.size();
}

std::string json_failures(run_state const& s) {
  std::string out = "{";
  for (auto const& [k, v] : s.failures) {
    if (out.size() > 1) out += ',';
    out += json_string(k);
    out += ':';
    out += std::to_string(v);
  }
  return out + "}";
}

std::string login_json(run_state& s) {
  auto login = summarise(s.login_us);
  double const t = seconds(s.epoch, s.logins_done);
  return fmt::format(
      "\"clients_ready\":{},\"login_seconds\":{:.3f},\"logins_per_second\":{:.1f},"
      "\"login_ms\":{{\"p50\":{:.3f},\"p99\":{:.3f},\"max\":{:.3f}}}",
      s.ready, t, t > 0 ? static_cast<double>(s.ready) / t : 0.0, login.p50_ms, login.p99_ms, login.max_ms);
}

std::string target(options const& o) {
  return json_string(o.host + ":" + std::to_string(o.port));
}

bool make_state_endpoint(options const& opts, tcp::endpoint& out) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(opts.host, ec);
  if (ec) std::cerr << "xmpp_load: --host must be a numeric address: " << opts.host << "\n";
  out = tcp::endpoint(address, opts.port);
  return !ec;
}

}  // namespace

std::string run_load(options const& opts, bool& clean) {
  tcp::endpoint server;
  if (!make_state_endpoint(opts, server)) return {};
  asio::io_context io(1);
  run_state s(opts, io, server);
  clean = run(s) && s.delivered == s.expected;
  auto lat = summarise(s.delivery_us);
  double const t = seconds(s.messages_start, s.last_delivery);
  double const rate = t > 0 ? static_cast<double>(s.delivered) / t : 0;
  if (!opts.json)
    return fmt::format(
        "xmpp_load {}: {} clients ({} logged in, {:.1f} logins/s), {} messages of {} bytes each, window {}\n"
        "  delivered  {} of {} ({} sent), {:.1f} messages/s in {:.3f} s{}\n"
        "  latency    p50 {:.2f} ms  p99 {:.2f} ms  max {:.2f} ms\n"
        "  server CPU {:.1f} ms, {:.4f} ms per message; load generator CPU {:.1f} ms\n  failures   {}\n",
        opts.host + ":" + std::to_string(opts.port), opts.clients, s.ready,
        s.ready / std::max(1e-9, seconds(s.epoch, s.logins_done)), opts.messages, opts.size, opts.window, s.delivered,
        s.expected, s.sent, rate, t, s.timed_out ? "  TIMED OUT" : "", lat.p50_ms, lat.p99_ms, lat.max_ms, s.cpu_ms,
        s.delivered && s.cpu_ms >= 0 ? s.cpu_ms / static_cast<double>(s.delivered) : -1.0, s.own_cpu_ms,
        json_failures(s));
  return fmt::format(
      "{{\"target\":{},\"mode\":\"load\",\"tls\":{},\"clients\":{},{},\"messages_per_client\":{},\"size\":{},"
      "\"window\":{},\"expected\":{},\"sent\":{},\"delivered\":{},\"failed\":{},\"seconds\":{:.4f},"
      "\"messages_per_second\":{:.1f},\"latency_ms\":{{\"p50\":{:.3f},\"p90\":{:.3f},\"p99\":{:.3f},\"max\":{:.3f},"
      "\"mean\":{:.3f}}},\"server_cpu_ms\":{:.1f},\"cpu_ms_per_message\":{:.4f},\"client_cpu_ms\":{:.1f},\"failures\":{"
      "},\"timed_out\":{}}}\n",
      target(opts), opts.starttls, opts.clients, login_json(s), opts.messages, opts.size, opts.window, s.expected,
      s.sent, s.delivered, s.failed(), t, rate, lat.p50_ms, lat.p90_ms, lat.p99_ms, lat.max_ms, lat.mean_ms, s.cpu_ms,
      s.delivered && s.cpu_ms >= 0 ? s.cpu_ms / static_cast<double>(s.delivered) : -1.0, s.own_cpu_ms, json_failures(s),
      s.timed_out);
}

std::string run_idle(options const& opts, bool& clean) {
  tcp::endpoint server;
  if (!make_state_endpoint(opts, server)) return {};
  asio::io_context io(1);
  run_state s(opts, io, server);
  clean = run(s);
  bool const measured = opts.rss_pid > 0 && s.mem_after.processes > 0 && s.ready > 0;
  auto per = [&](std::uint64_t before, std::uint64_t after) {
    return measured ? (static_cast<double>(after) - static_cast<double>(before)) / static_cast<double>(s.ready) : -1.0;
  };
  double const rss = per(s.mem_before.rss_kb, s.mem_after.rss_kb);
  double const pss = per(s.mem_before.pss_kb, s.mem_after.pss_kb);
  double const main_rss = per(s.mem_before.main_rss_kb, s.mem_after.main_rss_kb);
  if (!opts.json)
    return fmt::format(
        "xmpp_load idle {}: {} of {} connections authenticated; per connection: RSS {:.1f} KB, "
        "PSS {:.1f} KB, main process RSS {:.1f} KB (server tree {} -> {} KB RSS){}\n  failures {}\n",
        opts.host + ":" + std::to_string(opts.port), s.ready, opts.clients, rss, pss, main_rss, s.mem_before.rss_kb,
        s.mem_after.rss_kb, s.timed_out ? "  TIMED OUT" : "", json_failures(s));
  return fmt::format(
      "{{\"target\":{},\"mode\":\"idle\",\"tls\":{},\"connections\":{},{},\"opened\":{},\"rss_kb_before\":{},"
      "\"rss_kb_after\":{},\"processes\":{},\"rss_kb_per_connection\":{:.1f},\"pss_kb_per_connection\":{:.1f},"
      "\"main_rss_kb_per_connection\":{:.1f},\"failed\":{},\"failures\":{},\"timed_out\":{}}}\n",
      target(opts), opts.starttls, opts.clients, login_json(s), s.ready, s.mem_before.rss_kb, s.mem_after.rss_kb,
      s.mem_after.processes, rss, pss, main_rss, s.failed(), json_failures(s), s.timed_out);
}

}  // namespace posta::bench::xmpp_load
