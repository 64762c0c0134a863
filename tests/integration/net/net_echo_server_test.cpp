// Loopback tests of the network foundation through a tiny line-echo server
// built on listener_set + stream + line_reader: plain, implicit TLS and
// STARTTLS, line bounds, idle and handshake timeouts, per-IP limits, rebinding.
#include "core/net/connection_cap.hpp"
#include "core/net/connection_limiter.hpp"
#include "core/net/errors.hpp"
#include "core/net/line_reader.hpp"
#include "core/net/listener.hpp"
#include "core/net/stream.hpp"
#include "core/net/tls.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <fcntl.h>
#include <filesystem>
#include <future>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>

namespace posta::net {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using asio::ip::tcp;
using namespace std::chrono_literals;

// ---- the server under test ------------------------------------------------

struct echo_options {
  std::shared_ptr<ssl::context> tls;
  bool implicit_tls = false;
  line_limits limits{64, false};
  stream::duration idle = 5s;
  stream::duration handshake = 5s;
  connection_limiter* limiter = nullptr;
  std::atomic<int> write_timeouts{0};
};

bool on_own_strand(stream const& s) {
  auto const* strand = s.get_executor().target<asio::strand<asio::any_io_executor>>();
  return strand != nullptr && strand->running_in_this_thread();
}

// One reply per command; the strings a test expects are visible here.
asio::awaitable<std::string> answer(stream& s, line_reader& reader, echo_options& opt, std::string_view line) {
  if (line == "STARTTLS") {
    co_await s.write("220 go ahead\r\n", 5s);
    auto r = co_await reader.start_tls(*opt.tls, opt.handshake);
    co_return r ? "" : "!";
  }
  if (line == "TLS") co_return "250 " + (s.is_tls() ? s.tls_description() : std::string("plain")) + "\r\n";
  if (line == "STRAND") co_return on_own_strand(s) ? "250 own strand\r\n" : "250 NOT on strand\r\n";
  if (line == "FLOOD") {  // a client that never reads: writes must time out
    std::string const chunk(1 << 20, 'f');
    for (int i = 0; i < 64; ++i) {
      auto w = co_await s.write(chunk, 300ms);
      if (w) continue;
      if (is_timeout(w.error())) ++opt.write_timeouts;
      break;
    }
    co_return "!";
  }
  if (line == "NAP") {  // later reads get a much shorter deadline than the one just met
    opt.idle = 200ms;
    co_return "250 NAP\r\n";
  }
  if (line == "WAIT") {  // the next line must be read by a read_some after wait_readable
    auto ready = co_await s.wait_readable(opt.idle);
    co_return ready ? "250 input waiting\r\n" : "!";
  }
  if (line == "THROW") throw std::runtime_error("handler failure on purpose");
  if (line == "QUIT") {
    co_await s.write("221 bye\r\n", 5s);
    co_await s.shutdown(1s);
    co_return "!";
  }
  co_return "250 " + std::string(line) + "\r\n";
}

asio::awaitable<void> echo_session(tcp::socket socket, echo_options* opt) {
  stream s(std::move(socket));
  connection_limiter::guard slot;
  if (opt->limiter) {
    auto g = opt->limiter->try_acquire(s.remote_endpoint().address());
    if (!g) {
      co_await s.write("421 too many connections\r\n", 1s);
      co_await s.shutdown(1s);
      co_return;
    }
    slot = std::move(*g);
  }
  // (Each co_await on its own line: GCC 12 mishandles some inside && and ?:.)
  if (opt->implicit_tls) {
    auto handshake = co_await s.start_tls(*opt->tls, opt->handshake);
    if (!handshake) co_return;
  }
  line_reader reader(s, opt->limits);
  auto greeted = co_await s.write("220 ready\r\n", 5s);
  if (!greeted) co_return;
  for (;;) {
    auto line = co_await reader.read_line(opt->idle);
    std::string reply;
    if (line) {
      reply = co_await answer(s, reader, *opt, *line);
    } else if (is_line_too_long(line.error())) {
      reply = "500 line too long\r\n";
    } else {
      if (is_timeout(line.error())) co_await s.write("421 idle timeout\r\n", 1s);
      co_return;
    }
    if (reply == "!") co_return;
    if (reply.empty()) continue;
    auto written = co_await s.write(reply, 5s);
    if (!written) co_return;
  }
}

connection_handler echo_handler(echo_options* opt) {
  return [opt](tcp::socket socket) { return echo_session(std::move(socket), opt); };
}

// Two io threads, as in production, so strands matter.
struct server_fixture : ::testing::Test {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::vector<std::thread> threads;
  connection_cap cap{0};  // unlimited unless a test sets it
  std::unique_ptr<listener_set> listeners = std::make_unique<listener_set>(io.get_executor(), &cap);
  echo_options options;
  std::filesystem::path dir;

  void SetUp() override {
    for (int i = 0; i < 2; ++i) threads.emplace_back([this] { io.run(); });
  }
  void TearDown() override {
    listeners.reset();
    work.reset();
    io.stop();
    for (auto& t : threads) t.join();
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }

  void make_tls() {
    dir = std::filesystem::temp_directory_path() / ("posta-net-test-" + std::to_string(::getpid()));
    ASSERT_TRUE(ensure_self_signed_certificate(dir / "cert.pem", dir / "key.pem", "mail.example.test"));
    auto ctx = make_server_tls_context(dir / "cert.pem", dir / "key.pem");
    ASSERT_TRUE(ctx) << ctx.error().message();
    options.tls = *ctx;
  }

  // A client on an implicit-TLS listener, past the handshake and the greeting.
  void greeted_over_implicit_tls(class client& c);

  tcp::endpoint listen(std::string name = "echo", std::string address = "127.0.0.1:0") {
    auto r = listeners->add({name, address, echo_handler(&options)});
    EXPECT_TRUE(r) << r.error().message();
    return listeners->local_endpoint(name).value_or(tcp::endpoint());
  }

  tcp::endpoint listen_spec(std::string name, bool reserved, std::string refusal) {
    auto r = listeners->add({name, "127.0.0.1:0", echo_handler(&options), reserved, std::move(refusal)});
    EXPECT_TRUE(r) << r.error().message();
    return listeners->local_endpoint(name).value_or(tcp::endpoint());
  }

  result<void> rebind(std::string name, std::string address) {
    return asio::co_spawn(io, listeners->rebind(name, address), asio::use_future).get();
  }
};

// ---- a small synchronous client with deadlines ------------------------------

class client {
 public:
  client() : socket_(io_), tls_ctx_(ssl::context::tls_client) { tls_ctx_.set_verify_mode(ssl::verify_none); }

  bool connect(tcp::endpoint const& at) {
    boost::system::error_code ec;
    socket_.connect(at, ec);
    return !ec;
  }

  // Runs an async operation on the client's own io_context for at most 5 s.
  template <class Start>
  boost::system::error_code run(Start start) {
    bool done = false;
    boost::system::error_code result;
    start([&](boost::system::error_code ec, auto&&...) {
      done = true;
      result = ec;
    });
    io_.restart();
    io_.run_for(5s);
    if (done) return result;
    socket_.cancel();
    io_.restart();
    io_.run();
    return asio::error::timed_out;
  }

  // The next line without CRLF, or "<eof>", "<timeout>", "<error: …>".
  std::string read_line() {
    auto ec = run([this](auto handler) {
      if (tls_)
        asio::async_read_until(*tls_, asio::dynamic_buffer(buf_), "\r\n", handler);
      else
        asio::async_read_until(socket_, asio::dynamic_buffer(buf_), "\r\n", handler);
    });
    if (ec == asio::error::eof || ec == ssl::error::stream_truncated || ec == asio::error::connection_reset)
      return "<eof>";
    if (ec == asio::error::timed_out) return "<timeout>";
    if (ec) return "<error: " + ec.message() + ">";
    auto const end = buf_.find("\r\n");
    std::string line = buf_.substr(0, end);
    buf_.erase(0, end + 2);
    return line;
  }

  bool write(std::string const& data) {
    auto ec = run([&](auto handler) {
      if (tls_)
        asio::async_write(*tls_, asio::buffer(data), handler);
      else
        asio::async_write(socket_, asio::buffer(data), handler);
    });
    return !ec;
  }

  std::string command(std::string const& line) {
    if (!write(line + "\r\n")) return "<write failed>";
    return read_line();
  }

  bool handshake() {
    tls_.emplace(socket_, tls_ctx_);
    auto ec = run([this](auto handler) { tls_->async_handshake(ssl::stream_base::client, handler); });
    return !ec;
  }

  // COMPAT: an old client; SECLEVEL=0 lets OpenSSL offer TLS < 1.2 at all,
  // so that refusing it is the server's doing.
  bool handshake_with_max_version(int version) {
    SSL_CTX_set_security_level(tls_ctx_.native_handle(), 0);
    SSL_CTX_set_min_proto_version(tls_ctx_.native_handle(), TLS1_VERSION);
    SSL_CTX_set_max_proto_version(tls_ctx_.native_handle(), version);
    return handshake();
  }

  void close() { socket_.close(); }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  ssl::context tls_ctx_;
  std::optional<ssl::stream<tcp::socket&>> tls_;
  std::string buf_;
};

template <class Pred>
bool eventually(Pred pred) {
  for (int i = 0; i < 200; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

// ---- plain text ------------------------------------------------------------

TEST_F(server_fixture, plain_echo_on_own_strand) {
  auto at = listen();
  ASSERT_NE(at.port(), 0);
  client c;
  ASSERT_TRUE(c.connect(at));
  EXPECT_EQ(c.read_line(), "220 ready");
  EXPECT_EQ(c.command("hello world"), "250 hello world");
  EXPECT_EQ(c.command("STRAND"), "250 own strand");
  EXPECT_EQ(c.command("TLS"), "250 plain");
  EXPECT_EQ(c.command("QUIT"), "221 bye");
  EXPECT_EQ(c.read_line(), "<eof>");
}

TEST_F(server_fixture, pipelined_commands_all_answered_in_order) {
  client c;
  ASSERT_TRUE(c.connect(listen()));
  EXPECT_EQ(c.read_line(), "220 ready");
  ASSERT_TRUE(c.write("a\r\nb\r\n\r\nc\r\n"));
  EXPECT_EQ(c.read_line(), "250 a");
  EXPECT_EQ(c.read_line(), "250 b");
  EXPECT_EQ(c.read_line(), "250 ");
  EXPECT_EQ(c.read_line(), "250 c");
}

TEST_F(server_fixture, overlong_lines_are_refused_and_the_session_goes_on) {
  client c;
  ASSERT_TRUE(c.connect(listen()));
  EXPECT_EQ(c.read_line(), "220 ready");
  EXPECT_EQ(c.command(std::string(64, 'x')), "250 " + std::string(64, 'x'));  // exactly the bound
  EXPECT_EQ(c.command(std::string(65, 'x')), "500 line too long");
  EXPECT_EQ(c.command(std::string(1 << 20, 'y')), "500 line too long");  // 1 MiB, never buffered whole
  EXPECT_EQ(c.command("still here"), "250 still here");
}

TEST_F(server_fixture, idle_timeout_closes_with_a_reply) {
  options.idle = 200ms;
  client c;
  ASSERT_TRUE(c.connect(listen()));
  EXPECT_EQ(c.read_line(), "220 ready");
  EXPECT_EQ(c.command("quick"), "250 quick");
  EXPECT_EQ(c.read_line(), "421 idle timeout");
  EXPECT_EQ(c.read_line(), "<eof>");
}

// A deadline shorter than the one armed before it still holds (the timer,
// left waiting for the long one, is moved earlier).
TEST_F(server_fixture, a_shorter_deadline_after_a_long_one_still_fires) {
  options.idle = 60s;
  client c;
  ASSERT_TRUE(c.connect(listen()));
  EXPECT_EQ(c.read_line(), "220 ready");
  EXPECT_EQ(c.command("NAP"), "250 NAP");
  EXPECT_EQ(c.read_line(), "421 idle timeout");  // within the client's 5 s, long before 60 s
}

// Every read gets the whole timeout again: a client that keeps talking
// within it is never cut off, however long the session lasts in all.
TEST_F(server_fixture, each_read_gets_the_whole_idle_timeout_again) {
  options.idle = 2s;
  client c;
  ASSERT_TRUE(c.connect(listen()));
  EXPECT_EQ(c.read_line(), "220 ready");
  for (int i = 0; i < 8; ++i) {  // 4 s in all, twice the idle timeout
    std::this_thread::sleep_for(500ms);
    EXPECT_EQ(c.command("still " + std::to_string(i)), "250 still " + std::to_string(i));
  }
}

TEST_F(server_fixture, write_to_a_client_that_never_reads_times_out) {
  client c;
  ASSERT_TRUE(c.connect(listen()));
  EXPECT_EQ(c.read_line(), "220 ready");
  ASSERT_TRUE(c.write("FLOOD\r\n"));
  EXPECT_TRUE(eventually([&] { return options.write_timeouts == 1; }));
}

TEST_F(server_fixture, handler_exception_is_contained) {
  auto at = listen();
  client c;
  ASSERT_TRUE(c.connect(at));
  EXPECT_EQ(c.read_line(), "220 ready");
  ASSERT_TRUE(c.write("THROW\r\n"));
  EXPECT_EQ(c.read_line(), "<eof>");  // the session's socket died with its frame
  client d;
  ASSERT_TRUE(d.connect(at));
  EXPECT_EQ(d.read_line(), "220 ready");
  EXPECT_EQ(d.command("after"), "250 after");
}

// ---- limits ----------------------------------------------------------------

TEST_F(server_fixture, per_ip_limit_refuses_the_extra_connection) {
  connection_limiter limiter(2, 0);
  options.limiter = &limiter;
  auto at = listen();
  client a, b, extra;
  ASSERT_TRUE(a.connect(at));
  EXPECT_EQ(a.read_line(), "220 ready");
  ASSERT_TRUE(b.connect(at));
  EXPECT_EQ(b.read_line(), "220 ready");
  ASSERT_TRUE(extra.connect(at));
  EXPECT_EQ(extra.read_line(), "421 too many connections");
  EXPECT_EQ(extra.read_line(), "<eof>");

  EXPECT_EQ(a.command("QUIT"), "221 bye");
  ASSERT_TRUE(eventually([&] { return limiter.total() == 1; }));
  client again;
  ASSERT_TRUE(again.connect(at));
  EXPECT_EQ(again.read_line(), "220 ready");
  EXPECT_EQ(b.command("b still works"), "250 b still works");
}

TEST_F(server_fixture, limit_raised_at_run_time) {
  connection_limiter limiter(1, 0);
  options.limiter = &limiter;
  auto at = listen();
  client a, b, c;
  ASSERT_TRUE(a.connect(at));
  EXPECT_EQ(a.read_line(), "220 ready");
  ASSERT_TRUE(b.connect(at));
  EXPECT_EQ(b.read_line(), "421 too many connections");
  limiter.set_max_per_ip(2);
  ASSERT_TRUE(c.connect(at));
  EXPECT_EQ(c.read_line(), "220 ready");
}

// ---- listeners -------------------------------------------------------------

TEST_F(server_fixture, rebind_moves_the_listener_and_keeps_sessions) {
  auto first = listen();
  client old_session;
  ASSERT_TRUE(old_session.connect(first));
  EXPECT_EQ(old_session.read_line(), "220 ready");

  auto r = rebind("echo", "127.0.0.1:0");
  ASSERT_TRUE(r) << r.error().message();
  auto second = listeners->local_endpoint("echo");
  ASSERT_TRUE(second);
  EXPECT_NE(second->port(), first.port());

  client fresh;
  ASSERT_TRUE(fresh.connect(*second));
  EXPECT_EQ(fresh.read_line(), "220 ready");
  ASSERT_TRUE(eventually([&] { return !client().connect(first); }));  // old port closed
  EXPECT_EQ(old_session.command("still connected"), "250 still connected");
}

TEST_F(server_fixture, rebind_to_the_same_address_and_off_and_on) {
  auto at = listen();
  std::string const same = "127.0.0.1:" + std::to_string(at.port());
  auto r = rebind("echo", same);  // overlaps itself: old closes first
  ASSERT_TRUE(r) << r.error().message();
  client c;
  ASSERT_TRUE(c.connect(at));
  EXPECT_EQ(c.read_line(), "220 ready");

  ASSERT_TRUE(rebind("echo", ""));
  EXPECT_FALSE(listeners->local_endpoint("echo"));
  ASSERT_TRUE(eventually([&] { return !client().connect(at); }));
  ASSERT_TRUE(rebind("echo", "localhost:0"));
  client d;
  ASSERT_TRUE(d.connect(listeners->local_endpoint("echo").value()));
  EXPECT_EQ(d.read_line(), "220 ready");
}

TEST_F(server_fixture, rebind_errors_leave_the_listener_as_it_was) {
  auto at = listen();
  auto bad = rebind("echo", "not-an-address:25");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("listener echo"), std::string::npos) << bad.error().message();
  auto missing = rebind("nope", "127.0.0.1:0");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, make_error_code(errc::not_found));

  // A port taken by someone else.
  asio::io_context other;
  tcp::acceptor squatter(other, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  auto taken = rebind("echo", "127.0.0.1:" + std::to_string(squatter.local_endpoint().port()));
  ASSERT_FALSE(taken);
  EXPECT_EQ(listeners->local_endpoint("echo"), at);
  client c;
  ASSERT_TRUE(c.connect(at));
  EXPECT_EQ(c.read_line(), "220 ready");
}

TEST_F(server_fixture, start_reports_each_failure_and_binds_the_rest) {
  std::vector<listener_spec> specs;
  specs.push_back({"good", "127.0.0.1:0", echo_handler(&options)});
  specs.push_back({"bad", "127.0.0.1:99999", echo_handler(&options)});
  specs.push_back({"off", "", echo_handler(&options)});
  specs.push_back({"good", "127.0.0.1:0", echo_handler(&options)});
  auto r = listeners->start(std::move(specs));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("listener bad"), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("listener good"), std::string::npos) << r.error().message();
  EXPECT_FALSE(listeners->local_endpoint("off"));
  client c;
  ASSERT_TRUE(c.connect(listeners->local_endpoint("good").value()));
  EXPECT_EQ(c.read_line(), "220 ready");
}

TEST_F(server_fixture, wildcard_listener_takes_ipv4) {
  auto at = listen("any", "*:0");
  ASSERT_NE(at.port(), 0);
  client c;
  ASSERT_TRUE(c.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), at.port())));
  EXPECT_EQ(c.read_line(), "220 ready");
}

TEST_F(server_fixture, stop_closes_every_acceptor) {
  auto at = listen();
  listeners->stop();
  ASSERT_TRUE(eventually([&] { return !client().connect(at); }));
}

// ---- TLS -------------------------------------------------------------------

void server_fixture::greeted_over_implicit_tls(client& c) {
  make_tls();
  options.implicit_tls = true;
  ASSERT_TRUE(c.connect(listen()));
  ASSERT_TRUE(c.handshake());
  ASSERT_EQ(c.read_line(), "220 ready");
}

TEST_F(server_fixture, implicit_tls) {
  client c;
  ASSERT_NO_FATAL_FAILURE(greeted_over_implicit_tls(c));
  std::string const tls = c.command("TLS");
  EXPECT_EQ(tls.rfind("250 TLS1.3 TLS_", 0), 0u) << tls;
  EXPECT_EQ(c.command("over tls"), "250 over tls");
  EXPECT_EQ(c.command("QUIT"), "221 bye");
  EXPECT_EQ(c.read_line(), "<eof>");
}

// A record OpenSSL has already read from the socket (two records in one
// segment) counts as input: wait_readable returns for it as for bytes the
// kernel still holds. (Over TLS each line_reader read takes one record, so
// the second line is never in line_reader's own buffer.)
TEST_F(server_fixture, wait_readable_sees_records_openssl_holds) {
  client c;
  ASSERT_NO_FATAL_FAILURE(greeted_over_implicit_tls(c));
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(c.write("WAIT\r\n"));
    ASSERT_TRUE(c.write("line " + std::to_string(i) + "\r\n"));
    EXPECT_EQ(c.read_line(), "250 input waiting");
    EXPECT_EQ(c.read_line(), "250 line " + std::to_string(i));
  }
  EXPECT_EQ(c.command("QUIT"), "221 bye");
  EXPECT_EQ(c.read_line(), "<eof>");
}

TEST_F(server_fixture, tls12_client_is_accepted_with_an_aead_cipher) {
  make_tls();
  options.implicit_tls = true;
  client c;
  ASSERT_TRUE(c.connect(listen()));
  ASSERT_TRUE(c.handshake_with_max_version(TLS1_2_VERSION));
  EXPECT_EQ(c.read_line(), "220 ready");
  std::string const tls = c.command("TLS");
  EXPECT_EQ(tls.rfind("250 TLS1.2 ECDHE-", 0), 0u) << tls;
  EXPECT_NE(tls.find("GCM"), std::string::npos) << tls;
}

TEST_F(server_fixture, tls11_client_is_refused) {
  make_tls();
  options.implicit_tls = true;
  client c;
  ASSERT_TRUE(c.connect(listen()));
  EXPECT_FALSE(c.handshake_with_max_version(TLS1_1_VERSION));
}

TEST_F(server_fixture, starttls_discards_pipelined_plaintext) {
  make_tls();
  client c;
  ASSERT_TRUE(c.connect(listen()));
  EXPECT_EQ(c.read_line(), "220 ready");
  EXPECT_EQ(c.command("TLS"), "250 plain");
  // SECURITY: a man in the middle appends a command after STARTTLS.
  ASSERT_TRUE(c.write("STARTTLS\r\nINJECTED\r\n"));
  EXPECT_EQ(c.read_line(), "220 go ahead");
  ASSERT_TRUE(c.handshake());
  EXPECT_EQ(c.command("NOOP"), "250 NOOP");  // not "250 INJECTED"
  std::string const tls = c.command("TLS");
  EXPECT_EQ(tls.rfind("250 TLS1.", 0), 0u) << tls;
}

TEST_F(server_fixture, tls_handshake_times_out) {
  make_tls();
  options.implicit_tls = true;
  options.handshake = 200ms;
  client c;
  ASSERT_TRUE(c.connect(listen()));
  EXPECT_EQ(c.read_line(), "<eof>");  // closed by the server well before 5 s
}

TEST_F(server_fixture, plaintext_on_a_tls_port_is_dropped) {
  make_tls();
  options.implicit_tls = true;
  client c;
  ASSERT_TRUE(c.connect(listen()));
  ASSERT_TRUE(c.write("EHLO plain.example\r\n"));
  EXPECT_EQ(c.read_line(), "<eof>");
}

}  // namespace
}  // namespace posta::net

namespace posta::net {
namespace {

// ---- the global connection cap and running out of descriptors ----------------

TEST_F(server_fixture, global_cap_refuses_ordinary_listeners_and_keeps_a_reserve) {
  cap.set_max(10);  // a tenth, one, is kept for reserved listeners
  auto mail = listen_spec("mail", false, "421 busy\r\n");
  auto admin = listen_spec("admin", true, "");
  std::vector<std::unique_ptr<client>> held;
  for (int i = 0; i < 9; ++i) {
    held.push_back(std::make_unique<client>());
    ASSERT_TRUE(held.back()->connect(mail));
    ASSERT_EQ(held.back()->read_line(), "220 ready") << i;
  }
  client refused;
  ASSERT_TRUE(refused.connect(mail));
  EXPECT_EQ(refused.read_line(), "421 busy");
  EXPECT_EQ(refused.read_line(), "<eof>");
  client administrator;  // the reserve
  ASSERT_TRUE(administrator.connect(admin));
  EXPECT_EQ(administrator.read_line(), "220 ready");
  EXPECT_EQ(administrator.command("hello"), "250 hello");
  client over;  // the reserve is used up too
  ASSERT_TRUE(over.connect(admin));
  EXPECT_EQ(over.read_line(), "<eof>");
  EXPECT_EQ(cap.in_use(), 10u);
  held.pop_back();  // one closes, and so does the administrator: 8 left
  administrator.close();
  EXPECT_TRUE(eventually([&] { return cap.in_use() == 8u; }));
  client again;
  ASSERT_TRUE(again.connect(mail));
  EXPECT_EQ(again.read_line(), "220 ready");
}

// EMFILE: accept fails while the process has no descriptor left; the
// listener backs off and accepts the waiting connection once there are some.
TEST_F(server_fixture, accept_resumes_after_running_out_of_descriptors) {
  auto at = listen();
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit low = saved;
  low.rlim_cur = 256;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  client c;  // its io_context's descriptors exist before the limit bites
  std::vector<int> filler;
  for (int fd; (fd = ::open("/dev/null", O_RDONLY)) >= 0;) filler.push_back(fd);
  ASSERT_EQ(errno, EMFILE);
  ::close(filler.back());  // room for the client's socket only
  filler.pop_back();
  ASSERT_TRUE(c.connect(at));  // in the backlog; the server cannot accept it
  for (int i = 0; i < 8 && !filler.empty(); ++i) {
    ::close(filler.back());
    filler.pop_back();
  }
  EXPECT_EQ(c.read_line(), "220 ready");
  EXPECT_EQ(c.command("after EMFILE"), "250 after EMFILE");
  for (int fd : filler) ::close(fd);
  ::setrlimit(RLIMIT_NOFILE, &saved);
}

}  // namespace
}  // namespace posta::net
