// The command mix of the load run, one coroutine per client on one thread.
#include "bench/imap_load/load.hpp"

#include "bench/imap_load/connection.hpp"
#include "bench/lib/proc_tree.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>

namespace posta::bench::imap_load {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using clock = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::uint32_t to_us(clock::duration d) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  return static_cast<std::uint32_t>(std::clamp<long long>(us, 0, UINT32_MAX));
}

// d-Mon-yyyy (RFC 9051 date) of `t`, in UTC.
std::string imap_date(std::time_t t) {
  static char const* const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{}-{}-{}", tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900);
}

// A 10 KB (or --append-size) text message, different for every append.
std::string append_message(std::size_t size, std::size_t client, std::size_t n) {
  std::string m = fmt::format(
      "From: Bench Appender <appender@bench.test>\r\nTo: user@example.test\r\n"
      "Subject: appended {} of client {}\r\nDate: Tue, 01 Dec 2026 12:00:00 +0000\r\n"
      "Message-ID: <append-{}-{}@bench.test>\r\nX-Bench-Appended: yes\r\nMIME-Version: 1.0\r\n"
      "Content-Type: text/plain; charset=us-ascii\r\n\r\n",
      n, client, client, n);
  static constexpr std::string_view words = "the quick brown fox jumps over the lazy dog and a draft was saved ";
  std::size_t col = 0, w = n;
  while (m.size() + 2 < size) {
    char c = words[w++ % words.size()];
    m += c;
    if (++col >= 70 && c == ' ') {
      m += "\r\n";
      col = 0;
    }
  }
  m += "\r\n";
  return m;
}

struct shared_state {
  shared_state(options const& o, std::vector<int> const& s, tcp::endpoint e, asio::io_context& io)
      : opts(o), schedule(s), server(e), gate(io, clock::time_point::max()), done_gate(io, clock::time_point::max()) {}

  options const& opts;
  std::vector<int> const& schedule;
  tcp::endpoint server;
  load_stats stats;
  std::size_t next_slot = 0;
  std::size_t not_ready;  // clients still logging in
  bool stopping = false;  // the hard timeout fired
  asio::steady_timer gate;  // opened (cancelled) when every client is ready
  std::size_t mixing = 0;   // clients still in the measured phase
  asio::steady_timer done_gate;  // opened when none is: clean-up waits for it
  std::uint64_t cpu_start = 0;
  asio::ssl::context tls{asio::ssl::context::tls_client};  // verify_none by default
  clock::time_point start, last_done, stop_at = clock::time_point::max();
  std::vector<connection*> conns;  // closed by the hard timeout
  std::string since_date = imap_date(std::time(nullptr) - 86400);

  std::optional<std::size_t> claim() {
    if (stopping || clock::now() >= stop_at) return std::nullopt;
    if (opts.commands != 0 && next_slot >= opts.commands) return std::nullopt;
    return next_slot++;
  }

  // A client is ready (or has given up); the last one opens the gate.
  void arrived() {
    if (--not_ready != 0) return;
    start = last_done = clock::now();
    mixing = stats.clients_ready;
    if (opts.cpu_pid > 0) cpu_start = tree_cpu_ticks(opts.cpu_pid);
    if (opts.duration_seconds > 0)
      stop_at = start + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(opts.duration_seconds));
    gate.cancel();
  }

  // A client has left the measured phase; the last one takes the server's
  // CPU reading and lets every client clean up.
  void left_mix() {
    if (--mixing != 0) return;
    if (opts.cpu_pid > 0) {
      stats.server_cpu_ms = static_cast<double>(tree_cpu_ticks(opts.cpu_pid) - cpu_start) * ms_per_tick();
      stats.cpu_measured = true;
    }
    done_gate.cancel();
  }
};

class client {
 public:
  client(shared_state& s, asio::any_io_executor ex, std::size_t index)
      : s_(s), c_(ex, s.server), index_(index), rng_(s.opts.seed * 7919 + index) {
    s_.conns.push_back(&c_);
  }
  ~client() { std::erase(s_.conns, &c_); }

  asio::awaitable<void> run() {
    bool const ready = co_await setup();
    if (ready) ++s_.stats.clients_ready;
    s_.arrived();
    if (s_.not_ready != 0) {
      auto [ec] = co_await s_.gate.async_wait(use_tuple);
      (void)ec;
    }
    if (!ready) co_return;
    while (auto slot = s_.claim()) {
      bool const alive = co_await one(s_.schedule[*slot % s_.schedule.size()]);
      if (!alive) break;
    }
    s_.left_mix();
    if (s_.mixing != 0) {
      auto [ec] = co_await s_.done_gate.async_wait(use_tuple);
      (void)ec;
    }
    co_await cleanup();
  }

 private:
  // Connect, LOGIN, SELECT and the base messages' UIDs (before any client appends).
  asio::awaitable<bool> setup() {
    auto const t0 = clock::now();
    bool const opened = co_await c_.open();
    if (!opened) co_return fail_setup("connect io");
    if (s_.opts.starttls) {
      bool const secured = co_await c_.starttls(s_.tls);
      if (!secured) co_return fail_setup("starttls failed");
    }
    std::size_t const user = index_ % s_.opts.users + 1;
    std::string const name = expand(s_.opts.user_format, user);
    std::string const password = expand(s_.opts.password_format, user);
    auto login = co_await c_.login(name, password);
    if (!login.ok()) co_return fail_setup("login " + reason(login));
    std::string const select = "SELECT \"" + s_.opts.mailbox + "\"";
    auto sel = co_await c_.command(select);
    if (!sel.ok()) co_return fail_setup("select " + reason(sel));
    s_.stats.login_us.push_back(to_us(clock::now() - t0));
    std::string const all = "UID SEARCH ALL";
    auto found = co_await c_.command(all, true);
    if (!found.ok()) co_return fail_setup("search_all " + reason(found));
    uids_ = std::move(found.search);
    std::sort(uids_.begin(), uids_.end());
    if (uids_.empty()) co_return fail_setup("select empty");
    if (index_ == 0) s_.stats.messages_seen = uids_.size();
    co_return true;
  }

  bool fail_setup(std::string const& what) {
    ++s_.stats.failures[what];
    c_.close();
    return false;
  }

  std::string reason(command_result const& r) const {
    if (!r.answered) return s_.stopping ? "timeout" : "io";
    return r.status;
  }

  std::uint32_t any_uid() { return uids_[std::uniform_int_distribution<std::size_t>(0, uids_.size() - 1)(rng_)]; }

  // Runs one command of the mix; false when the connection is lost.
  asio::awaitable<bool> one(int type) {
    std::string line;
    bool want_search = false;
    switch (type) {
      case 0: {  // headers of a range, as a client's message list
        auto first = std::uniform_int_distribution<std::size_t>(0, uids_.size() - 1)(rng_);
        auto last = std::min(uids_.size() - 1, first + s_.opts.header_range - 1);
        line = fmt::format("UID FETCH {}:{} (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS "
                           "(FROM TO SUBJECT DATE MESSAGE-ID)])", uids_[first], uids_[last]);
        break;
      }
      case 1: line = fmt::format("UID FETCH {} (BODY.PEEK[])", any_uid()); break;
      case 2: {
        auto from = uids_.size() > s_.opts.flags_tail ? uids_[uids_.size() - s_.opts.flags_tail] : uids_.front();
        line = fmt::format("UID FETCH {}:* (FLAGS)", from);
        break;
      }
      case 3: line = "FETCH 1:* (FLAGS)"; break;
      case 4: line = fmt::format("UID STORE {} {}FLAGS (\\Seen)", any_uid(), (stores_++ % 2) ? '-' : '+'); break;
      case 5: line = search_line(); want_search = true; break;
      case 6: {
        bool const alive = co_await append();
        co_return alive;
      }
      default: line = "NOOP"; break;
    }
    bool const alive = co_await timed(mix_types[type], line, want_search);
    co_return alive;
  }

  std::string search_line() {
    switch (searches_++ % 4) {
      case 0: return "UID SEARCH UNSEEN";
      case 1: return "UID SEARCH FROM \"corp3.test\"";
      case 2: return "UID SEARCH SINCE " + s_.since_date;
      default: return "UID SEARCH SENTSINCE 1-Jul-2026";
    }
  }

  // One command, timed from the write to its tagged response.
  asio::awaitable<bool> timed(char const* type, std::string_view line, bool want_search) {
    auto const t0 = clock::now();
    auto r = co_await c_.command(line, want_search);
    co_return record(type, r, t0);
  }

  bool record(std::string const& type, command_result const& r, clock::time_point t0) {
    auto const t1 = clock::now();
    if (r.ok()) {
      auto& t = s_.stats.types[type];
      t.latency_us.push_back(to_us(t1 - t0));
      t.bytes += r.bytes;
      ++s_.stats.completed;
      s_.last_done = t1;
    } else {
      ++s_.stats.failures[type + " " + reason(r)];
    }
    return r.answered;
  }

  // APPEND of a new message; every --expunge-every appends this client
  // removes what it appended (UIDPLUS: APPENDUID, UID EXPUNGE), so the
  // mailbox stays the size it was.
  asio::awaitable<bool> append() {
    std::string const message = append_message(s_.opts.append_size, index_, appends_++);
    std::string const mailbox = "\"" + s_.opts.mailbox + "\"";
    std::string const flags = "(\\Seen)";
    auto const t0 = clock::now();
    auto r = co_await c_.append(mailbox, flags, message);
    bool const alive = record("append", r, t0);
    if (!alive || !r.ok()) co_return alive;
    auto uid = appended_uid(r.tagged_text);
    if (!uid) {
      if (!warned_) std::cerr << "imap_load: no APPENDUID in the APPEND response; appended messages stay\n";
      warned_ = true;
      co_return true;
    }
    appended_.push_back(*uid);
    if (appended_.size() < s_.opts.expunge_every) co_return true;
    bool const ok = co_await expunge_appended(true);
    co_return ok;
  }

  static std::optional<std::uint32_t> appended_uid(std::string const& text) {
    auto p = text.find("[APPENDUID ");
    if (p == std::string::npos) return std::nullopt;
    std::istringstream in(text.substr(p + 11));
    std::uint64_t validity = 0, uid = 0;
    if (!(in >> validity >> uid)) return std::nullopt;
    return static_cast<std::uint32_t>(uid);
  }

  asio::awaitable<bool> expunge_appended(bool measured) {
    if (appended_.empty()) co_return true;
    std::string set;
    for (auto u : appended_) set += (set.empty() ? "" : ",") + std::to_string(u);
    appended_.clear();
    std::string const del = "UID STORE " + set + " +FLAGS.SILENT (\\Deleted)";
    std::string const exp = "UID EXPUNGE " + set;
    if (!measured) {
      auto a = co_await c_.command(del);
      if (!a.answered) co_return false;
      auto b = co_await c_.command(exp);
      co_return b.answered;
    }
    bool const alive = co_await timed("delete", del, false);
    if (!alive) co_return false;
    bool const alive2 = co_await timed("expunge", exp, false);
    co_return alive2;
  }

  // Not measured: what this client appended goes, then LOGOUT.
  asio::awaitable<void> cleanup() {
    if (!c_.socket().is_open()) co_return;
    bool const ok = co_await expunge_appended(false);
    if (ok) {
      std::string const logout = "LOGOUT";
      auto r = co_await c_.command(logout);
      (void)r;
    }
    c_.close();
  }

  shared_state& s_;
  connection c_;
  std::size_t index_;
  std::mt19937_64 rng_;
  std::vector<std::uint32_t> uids_;      // the base messages
  std::vector<std::uint32_t> appended_;  // appended, not yet expunged
  std::size_t stores_ = 0, searches_ = 0, appends_ = 0;
  bool warned_ = false;
};

// SECURITY: the hard bound on the run: when it fires no new command starts
// and every socket is closed, which ends every pending read and write.
asio::awaitable<void> watchdog(shared_state& s, asio::steady_timer& timer) {
  auto [ec] = co_await timer.async_wait(use_tuple);
  if (ec) co_return;
  s.stopping = true;
  s.stats.timed_out = true;
  s.gate.cancel();
  s.done_gate.cancel();
  for (auto* c : s.conns) c->close();
}

asio::awaitable<void> client_main(shared_state& s, std::size_t index, std::size_t& running, asio::steady_timer& timer) {
  {
    auto ex = co_await asio::this_coro::executor;
    client c(s, ex, index);
    co_await c.run();
  }
  if (--running == 0) timer.cancel();
}

}  // namespace

std::vector<int> make_schedule(std::string const& mix, std::uint64_t seed) {
  std::vector<int> out;
  std::istringstream in(mix);
  std::string item;
  while (std::getline(in, item, ',')) {
    auto eq = item.find('=');
    auto name = item.substr(0, eq);
    auto it = std::find(std::begin(mix_types), std::end(mix_types), name);
    std::size_t weight = 0;
    try {
      if (eq != std::string::npos) weight = std::stoul(item.substr(eq + 1));
    } catch (...) {
      eq = std::string::npos;
    }
    if (it == std::end(mix_types) || eq == std::string::npos || weight > 1000) {
      std::cerr << "imap_load: bad --mix item '" << item << "' (TYPE=WEIGHT, types: headers body flags flags_all "
                                                            "store search append noop)\n";
      return {};
    }
    out.insert(out.end(), weight, static_cast<int>(it - std::begin(mix_types)));
  }
  std::mt19937_64 rng(seed);
  std::shuffle(out.begin(), out.end(), rng);
  if (out.empty()) std::cerr << "imap_load: the --mix has no command\n";
  return out;
}

load_stats run_load(options const& opts, std::vector<int> const& schedule) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(opts.host, ec);
  if (ec) {
    std::cerr << "imap_load: --host must be a numeric address: " << opts.host << "\n";
    return {};
  }
  asio::io_context io(1);
  shared_state s(opts, schedule, tcp::endpoint(address, opts.port), io);
  s.not_ready = opts.clients;
  asio::steady_timer timer(io, std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(opts.timeout_seconds)));
  std::size_t running = opts.clients;
  s.start = s.last_done = clock::now();
  asio::co_spawn(io, watchdog(s, timer), asio::detached);
  for (std::size_t i = 0; i < opts.clients; ++i) asio::co_spawn(io, client_main(s, i, running, timer), asio::detached);
  io.run();
  s.stats.seconds = std::chrono::duration<double>(s.last_done - s.start).count();
  return std::move(s.stats);
}

}  // namespace posta::bench::imap_load
