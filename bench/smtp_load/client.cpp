// One benchmark connection: EHLO once, then MAIL / RCPT… / DATA / message /
// "." again and again on the same connection (RFC 5321 3.3, no RSET unless a
// transaction failed half-way), optionally pipelined (RFC 2920).
#include "bench/smtp_load/client.hpp"

#include "bench/smtp_load/reply.hpp"
#include "bench/smtp_load/shared_state.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <iostream>

namespace posta::bench::smtp_load {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// A server reply longer than this is not SMTP; the connection is dropped.
constexpr std::size_t max_reply_bytes = 64 * 1024;
constexpr auto reconnect_pause = std::chrono::milliseconds(20);

class connection {
 public:
  explicit connection(shared_state& s, asio::any_io_executor ex) : s_(s), socket_(ex) { s_.sockets.push_back(&socket_); }
  ~connection() { std::erase(s_.sockets, &socket_); }

  asio::awaitable<void> run() {
    // No co_await inside conditions or arguments here: g++ 12 miscompiles them.
    while (auto slot = s_.claim()) {
      bool usable = socket_.is_open();
      if (!usable) usable = co_await open();
      if (!usable) {
        co_await pause();
        continue;
      }
      bool const keep = co_await transaction(*slot);
      if (!keep) close();
    }
    co_await quit();
  }

 private:
  // Records the failure of the message whose slot this connection holds.
  void fail(std::string const& stage, std::string const& code) { s_.fail(stage, s_.stopping ? "timeout" : code); }
  void fail(std::string const& stage, reply const& r) { fail(stage, std::to_string(r.code)); }

  void close() {
    boost::system::error_code ec;
    socket_.close(ec);
    in_.clear();
  }

  asio::awaitable<void> pause() {
    asio::steady_timer t(socket_.get_executor(), reconnect_pause);
    co_await t.async_wait(use_tuple);
  }

  asio::awaitable<bool> write(std::string_view data) {
    auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(data), use_tuple);
    co_return !ec;
  }

  // One whole reply, or nothing on I/O error or a reply that is not SMTP.
  asio::awaitable<std::optional<reply>> read_reply() {
    reply r;
    for (;;) {
      auto status = take_reply(in_, r);
      if (status == take_status::complete) co_return r;
      if (status == take_status::malformed || in_.size() > max_reply_bytes) co_return std::nullopt;
      char buf[4096];
      auto [ec, n] = co_await socket_.async_read_some(asio::buffer(buf), use_tuple);
      if (ec) co_return std::nullopt;
      in_.append(buf, n);
    }
  }

  // Connect, greeting, EHLO; a failure here costs the slot taken for it.
  asio::awaitable<bool> open() {
    auto [ec] = co_await socket_.async_connect(s_.server, use_tuple);
    if (ec) co_return connection_failure("connect", std::nullopt);
    socket_.set_option(tcp::no_delay(true), ec);  // the lone "." must not wait for Nagle
    auto greeting = co_await read_reply();
    if (!greeting || greeting->code != 220) co_return connection_failure("greeting", greeting);
    std::string const ehlo_line = "EHLO " + s_.opts.helo + "\r\n";
    auto ehlo = co_await command(ehlo_line);
    if (!ehlo || ehlo->code != 250) co_return connection_failure("EHLO", ehlo);
    bool offered = false;
    for (auto const& l : ehlo->lines) offered = offered || l.compare(4, std::string::npos, "PIPELINING") == 0;
    if (s_.opts.pipelining && !offered && !warned_) {
      std::cerr << "smtp_load: server does not offer PIPELINING; sending commands one by one\n";
      warned_ = true;
    }
    pipelining_ = s_.opts.pipelining && offered;
    co_return true;
  }

  bool connection_failure(std::string const& stage, std::optional<reply> const& r) {
    fail(stage, r ? std::to_string(r->code) : std::string("io"));
    close();
    return false;
  }

  // A view of a literal or of a named string: g++ 12 mishandles temporary
  // std::string arguments of coroutines.
  asio::awaitable<std::optional<reply>> command(std::string_view line) {
    bool const written = co_await write(line);
    std::optional<reply> r;
    if (written) r = co_await read_reply();
    co_return r;
  }

  struct envelope_replies {
    std::optional<reply> mail;
    std::vector<std::optional<reply>> rcpt;
    std::optional<reply> data;
  };

  // MAIL, RCPT… and DATA, one at a time or (pipelining) in one write.
  asio::awaitable<envelope_replies> envelope(std::vector<std::string> const& rcpts) {
    envelope_replies out;
    std::vector<std::string> lines{"MAIL FROM:<" + s_.opts.from + ">\r\n"};
    for (auto const& r : rcpts) lines.push_back("RCPT TO:<" + r + ">\r\n");
    lines.push_back("DATA\r\n");
    if (pipelining_) {
      std::string all;
      for (auto const& l : lines) all += l;
      bool const written = co_await write(all);
      if (!written) co_return out;
      out.mail = co_await read_reply();
      for (std::size_t i = 0; i < rcpts.size() && out.mail; ++i) {
        auto r = co_await read_reply();
        out.rcpt.push_back(std::move(r));
      }
      if (out.mail && out.rcpt.back()) out.data = co_await read_reply();
      co_return out;
    }
    out.mail = co_await command(lines[0]);
    if (!out.mail || !out.mail->is_positive()) co_return out;
    for (std::size_t i = 0; i < rcpts.size(); ++i) {
      auto r = co_await command(lines[i + 1]);
      out.rcpt.push_back(std::move(r));
      if (!out.rcpt.back()) co_return out;
    }
    bool any = false;
    for (auto const& r : out.rcpt) any = any || r->is_positive();
    if (any) out.data = co_await command(lines.back());
    co_return out;
  }

  // One message; false when the connection can no longer be used.
  asio::awaitable<bool> transaction(std::size_t slot) {
    auto rcpts = s_.next_recipients();
    auto body = s_.messages.wire(slot, rcpts);
    auto const started = clock::now();
    auto env = co_await envelope(rcpts);
    if (!env.mail) co_return io_failure("MAIL");
    if (!env.mail->is_positive()) {
      fail("MAIL", *env.mail);  // pipelined RCPT and DATA were refused (503) and read
      co_return env.mail->code != 421;
    }
    std::size_t accepted = 0;
    std::optional<reply> refusal;
    for (auto const& r : env.rcpt) {
      if (!r) co_return io_failure("RCPT");
      if (r->is_positive()) {
        ++accepted;
      } else {
        ++s_.stats.rcpt_rejected[std::to_string(r->code)];
        if (!refusal) refusal = r;
      }
    }
    if (pipelining_ && !env.data) co_return io_failure("DATA");
    bool keep = false;
    if (env.data && env.data->code == 354) {
      keep = co_await send_message(body, started, accepted, refusal);
      co_return keep;
    }
    if (env.data) fail("DATA", *env.data);
    else fail("RCPT", *refusal);
    keep = co_await reset();
    co_return keep;
  }

  // The message, then "." alone, timed until its reply.
  asio::awaitable<bool> send_message(std::string const& body, clock::time_point started, std::size_t accepted,
                                     std::optional<reply> const& refusal) {
    bool written = co_await write(body);
    if (!written) co_return io_failure("DATA");
    auto t0 = clock::now();
    written = co_await write(".\r\n");
    if (!written) co_return io_failure(".");
    auto r = co_await read_reply();
    auto t1 = clock::now();
    if (!r) co_return io_failure(".");
    if (accepted == 0) fail("RCPT", *refusal);  // 354 without a valid recipient: a server bug, counted once
    else if (r->is_positive()) s_.accept(t1 - t0, t1 - started);
    else fail(".", *r);
    co_return r->code != 421;
  }

  asio::awaitable<bool> reset() {
    auto r = co_await command("RSET\r\n");
    co_return r && r->is_positive();
  }

  bool io_failure(std::string const& stage) {
    fail(stage, "io");
    return false;
  }

  asio::awaitable<void> quit() {
    if (!socket_.is_open()) co_return;
    auto bye = co_await command("QUIT\r\n");
    (void)bye;
    close();
  }

  shared_state& s_;
  tcp::socket socket_;
  std::string in_;  // received, not yet taken
  bool pipelining_ = false;
  bool warned_ = false;
};

// SECURITY: the hard bound on the run: when it fires no new message starts
// and every socket is closed, which ends every pending read and write.
asio::awaitable<void> watchdog(shared_state& s, asio::steady_timer& timer) {
  auto [ec] = co_await timer.async_wait(use_tuple);
  if (ec) co_return;  // cancelled: the run ended in time
  s.stopping = true;
  s.stats.timed_out = true;
  for (auto* sock : s.sockets) {
    boost::system::error_code ignored;
    sock->close(ignored);
  }
}

asio::awaitable<void> connection_main(shared_state& s, std::size_t& running, asio::steady_timer& timer) {
  {
    auto ex = co_await asio::this_coro::executor;
    connection c(s, ex);
    co_await c.run();
  }
  if (--running == 0) timer.cancel();
}

}  // namespace

run_stats run_load(options const& opts, message_factory const& messages) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(opts.host, ec);
  if (ec) {
    std::cerr << "smtp_load: --host must be a numeric address: " << opts.host << "\n";
    return {};
  }
  asio::io_context io(1);
  shared_state s(opts, messages, tcp::endpoint(address, opts.port));
  s.stats.bytes_per_message = messages.size();
  asio::steady_timer timer(io, std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(opts.timeout_seconds)));
  std::size_t running = opts.connections;
  s.start = s.last_done = clock::now();
  asio::co_spawn(io, watchdog(s, timer), asio::detached);
  for (std::size_t i = 0; i < opts.connections; ++i) asio::co_spawn(io, connection_main(s, running, timer), asio::detached);
  io.run();
  s.stats.seconds = std::chrono::duration<double>(s.last_done - s.start).count();
  return std::move(s.stats);
}

}  // namespace posta::bench::smtp_load
