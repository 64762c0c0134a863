// `posta serve`: read the bootstrap file, start the embedded database if no
// URL is configured, run the server on one io thread per core, stop on
// SIGINT/SIGTERM.
#include "app/serve.hpp"

#include "app/server.hpp"
#include "core/db/embedded_cluster.hpp"
#include "core/journal/journal.hpp"
#include "core/journal/log.hpp"
#include "core/net/blocking.hpp"
#include "core/net/tls.hpp"
#include "core/util/atomic_file.hpp"
#include "core/util/crypto_random.hpp"
#include "core/util/hex.hpp"
#include "core/util/process.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <unistd.h>

#include <fstream>
#include <thread>

namespace posta::app {
namespace fs = std::filesystem;

namespace {

// A secret generated once and kept in a 0600 file of the data folder: the
// admin token when the config names none (the CLI reads it from there), and
// the server secret behind fake SCRAM salts.
result<std::string> ensure_secret_file(fs::path const& path) {
  if (std::ifstream in(path); in) {
    std::string token;
    std::getline(in, token);
    if (!token.empty()) return token;
  }
  std::string const token = util::hex_encode(POSTA_TRY(util::random_bytes(24)));
  POSTA_TRY(util::write_file_atomically(path, token + "\n", 0600));
  journal::log(journal::level::info, "generated {}", path.string());
  return token;
}

result<void> prepare(config::bootstrap& cfg) {
  std::error_code ec;
  bool const created = fs::create_directories(cfg.data_dir, ec);
  if (ec) return make_error(ec, "create data directory " + cfg.data_dir.string());
  // DURABILITY: a new data folder's own entry reaches the disk before
  // anything inside it is acknowledged.
  if (created) POSTA_TRY(util::fsync_folder(cfg.data_dir.parent_path()));
  // The embedded cluster runs as `postgres`, which must be able to reach its folder.
  fs::permissions(cfg.data_dir, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec, ec);
  if (cfg.admin_token.empty()) cfg.admin_token = POSTA_TRY(ensure_secret_file(cfg.data_dir / "admin-token"));
  fs::create_directories(cfg.tls.cert.parent_path(), ec);
  POSTA_TRY(net::ensure_self_signed_certificate(cfg.tls.cert, cfg.tls.key, cfg.hostname));
  return {};
}

int fail(std::string const& what) {
  journal::log(journal::level::error, "{}", what);
  return 1;
}

}  // namespace

int run_serve(std::string const& config_path) {
  journal::use_async_stderr();  // SECURITY: an io thread never waits for stderr
  journal::use_server_log_format();
  auto loaded = config::load_bootstrap(config_path);
  if (!loaded) return fail(loaded.error().message());
  auto cfg = std::move(*loaded);
  if (auto p = prepare(cfg); !p) return fail(p.error().message());

  std::unique_ptr<db::embedded_cluster> cluster;
  std::string conninfo;
  if (cfg.database_url) {
    conninfo = *cfg.database_url;
  } else {
    auto started = db::embedded_cluster::start_blocking(cfg.data_dir);
    if (!started) return fail(started.error().message());
    cluster = std::move(*started);
    conninfo = cluster->conninfo();
  }

  auto secret = ensure_secret_file(cfg.data_dir / "server-secret");
  if (!secret) return fail(secret.error().message());

  asio::io_context io;
  auto srv = std::make_unique<server>(io, cfg, conninfo, *secret);
  int status = 0;
  asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    if (auto r = co_await srv->start(); !r) {
      status = fail("start-up failed: " + r.error().message());
      io.stop();
      co_return;
    }
    std::string failed;
    for (auto const& st : srv->services.list())
      if (st.current == service::state::failed) failed += (failed.empty() ? "" : ", ") + st.name + " (" + st.detail + ")";
    if (failed.empty()) journal::log(journal::level::info, "posta is ready");
    else journal::log(journal::level::error, "posta is running, but these services failed to start: {}", failed);
    for (;;) {
      auto [ec, signal] = co_await signals.async_wait(asio::as_tuple(asio::use_awaitable));
      if (ec || signal != SIGHUP) {
        journal::log(journal::level::info, "signal {}: shutting down", signal);
        break;
      }
      co_await srv->reload(config_path);
    }
    co_await srv->stop();
    io.stop();
  }, [&](std::exception_ptr e) {
    if (e) {
      status = fail("unexpected failure during start-up or shutdown");
      io.stop();
    }
  });

  unsigned threads = std::max(2u, std::thread::hardware_concurrency());
  std::vector<std::thread> workers;
  for (unsigned i = 1; i < threads; ++i) workers.emplace_back([&] { io.run(); });
  io.run();
  for (auto& t : workers) t.join();
  net::stop_blocking_pool();
  if (cluster) cluster->stop_blocking();
  journal::log(journal::level::info, "posta stopped");
  journal::flush_stderr();
  // Sessions still open hold coroutine frames that point into the server; the
  // process is ending, so they are left to the OS rather than unwound.
  std::fflush(nullptr);
  ::_exit(status);
}

}  // namespace posta::app
