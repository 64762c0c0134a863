// initdb / postgres as child processes. As root they run as the `postgres`
// system user (initdb refuses root), and the cluster folder belongs to it.
#include "core/db/embedded_cluster.hpp"

#include "core/util/process.hpp"
#include "core/journal/log.hpp"

#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

namespace posta::db {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr char const* cluster_user = "postgres";
constexpr char const* socket_port = "5432";  // only names the socket file: no TCP

util::spawn_options options_for(fs::path const& log) {
  util::spawn_options o;
  if (util::is_root()) o.run_as_user = cluster_user;
  o.output_path = log.string();
  return o;
}

result<void> prepare_dir(fs::path const& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_error(ec, "create " + dir.string());
  fs::permissions(dir, fs::perms::owner_all, ec);
  if (util::is_root()) {
    passwd* pw = getpwnam(cluster_user);
    if (!pw) return make_error(errc::not_found, "system user postgres (install postgresql)");
    if (chown(dir.c_str(), pw->pw_uid, pw->pw_gid) != 0)
      return make_error(std::error_code(errno, std::generic_category()), "chown " + dir.string());
  }
  return {};
}

result<void> initdb_blocking(fs::path const& bin, fs::path const& dir, fs::path const& log) {
  journal::log(journal::level::info, "embedded database: creating cluster in {}", dir.string());
  auto status = POSTA_TRY(util::run_process_blocking(
      {(bin / "initdb").string(), "-D", dir.string(), "-U", "postgres", "--auth-local=trust",
       "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"},
      options_for(log), 120s));
  if (status != 0)
    return make_error(errc::unavailable, "initdb failed (status " + std::to_string(status) + "); see " +
                                             log.string() + " (the postgres user must be able to reach the data folder)");
  return {};
}

// After a crash of Posta the previous postmaster is shutting down on its own
// (parent-death signal); wait for it rather than fail on its lock file.
void wait_for_previous_postmaster(fs::path const& dir) {
  std::ifstream pidfile(dir / "postmaster.pid");
  pid_t old = 0;
  if (!(pidfile >> old) || old <= 0) return;
  for (int i = 0; i < 300 && util::is_process_alive(old); ++i) std::this_thread::sleep_for(100ms);
}

result<void> wait_until_ready(std::string const& conninfo, pid_t pid, fs::path const& log) {
  for (int i = 0; i < 600; ++i) {
    if (PQping(conninfo.c_str()) == PQPING_OK) return {};
    if (!util::is_process_alive(pid) || waitpid(pid, nullptr, WNOHANG) == pid)
      return make_error(errc::unavailable, "postgres exited during start-up; see " + log.string());
    std::this_thread::sleep_for(100ms);
  }
  return make_error(errc::unavailable, "postgres did not become ready within 60 s; see " + log.string());
}

result<void> ensure_database_blocking(std::string const& admin_conninfo, std::string const& name) {
  PGconn* conn = PQconnectdb(admin_conninfo.c_str());
  auto done = [&] { PQfinish(conn); };
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn);
    done();
    return make_error(errc::unavailable, "connect to embedded database: " + msg);
  }
  char const* values[] = {name.c_str()};
  PGresult* exists = PQexecParams(conn, "SELECT 1 FROM pg_database WHERE datname = $1", 1, nullptr, values,
                                  nullptr, nullptr, 0);
  bool found = PQresultStatus(exists) == PGRES_TUPLES_OK && PQntuples(exists) == 1;
  PQclear(exists);
  result<void> out;
  if (!found) {
    std::string sql = "CREATE DATABASE \"" + name + "\"";  // name is ours, not user input
    PGresult* created = PQexec(conn, sql.c_str());
    if (PQresultStatus(created) != PGRES_COMMAND_OK)
      out = make_error(errc::unavailable, std::string("create database: ") + PQresultErrorMessage(created));
    PQclear(created);
  }
  done();
  return out;
}

}  // namespace

result<fs::path> find_postgres_bin_dir() {
  if (char const* env = std::getenv("POSTA_PG_BIN")) return fs::path(env);
  fs::path best;
  std::error_code ec;
  for (auto const& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    fs::path bin = entry.path() / "bin";
    if (fs::exists(bin / "postgres") && (best.empty() || bin > best)) best = bin;
  }
  if (best.empty()) return make_error(errc::not_found, "PostgreSQL server binaries (install postgresql-15)");
  return best;
}

result<std::unique_ptr<embedded_cluster>> embedded_cluster::start_blocking(fs::path const& data_dir) {
  fs::path bin = POSTA_TRY(find_postgres_bin_dir());
  fs::path dir = fs::absolute(data_dir / "pg");
  fs::path log = fs::absolute(data_dir / "pg.log");
  POSTA_TRY(prepare_dir(dir));
  if (!fs::exists(dir / "PG_VERSION")) POSTA_TRY(initdb_blocking(bin, dir, log));
  wait_for_previous_postmaster(dir);

  auto options = options_for(log);
  options.new_process_group = true;
  options.parent_death_signal = SIGINT;  // fast shutdown if Posta dies
  pid_t pid = POSTA_TRY(util::spawn({(bin / "postgres").string(), "-D", dir.string(), "-p", socket_port, "-c",
                                     "listen_addresses=", "-c", "unix_socket_directories=" + dir.string()},
                                    options));
  std::unique_ptr<embedded_cluster> cluster(new embedded_cluster(dir, pid));
  POSTA_TRY(wait_until_ready(cluster->conninfo("postgres"), pid, log));
  POSTA_TRY(ensure_database_blocking(cluster->conninfo("postgres"), "posta"));
  journal::log(journal::level::info, "embedded database: running (pid {})", pid);
  return cluster;
}

std::string embedded_cluster::conninfo(std::string const& dbname) const {
  return "host=" + dir_.string() + " port=" + socket_port + " user=postgres dbname=" + dbname;
}

void embedded_cluster::stop_blocking() {
  if (pid_ <= 0) return;
  kill(pid_, SIGINT);  // fast shutdown: sessions end, a checkpoint is written
  if (!util::wait_exit_blocking(pid_, 60s)) {
    kill(pid_, SIGQUIT);
    (void)util::wait_exit_blocking(pid_, 10s);
  }
  journal::log(journal::level::info, "embedded database: stopped");
  pid_ = 0;
}

embedded_cluster::~embedded_cluster() { stop_blocking(); }

}  // namespace posta::db
