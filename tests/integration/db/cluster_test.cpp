// The integration_db environment: one embedded PostgreSQL cluster for the
// whole process (initdb as `postgres` when root), a database per test.
#include "db_fixture.hpp"

#include "core/db/embedded_cluster.hpp"
#include "core/db/migrations.hpp"
#include "core/journal/log.hpp"
#include "core/net/blocking.hpp"

#include <boost/asio/use_awaitable.hpp>


#include <atomic>
#include <fstream>
#include <sstream>
#include <cstdlib>
#include <unistd.h>

namespace posta::itest {
namespace fs = std::filesystem;

namespace {

fs::path g_scratch;
std::unique_ptr<db::embedded_cluster> g_cluster;

class cluster_environment : public ::testing::Environment {
 public:
  void SetUp() override {
    char pattern[] = "/tmp/posta-itest-db-XXXXXX";
    char* dir = ::mkdtemp(pattern);
    ASSERT_NE(dir, nullptr);
    g_scratch = dir;
    journal::set_log_level(journal::level::warning);  // migrations log at info for every test database
    fs::permissions(g_scratch, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                   fs::perms::others_read | fs::perms::others_exec);
    auto started = db::embedded_cluster::start_blocking(g_scratch / "cluster");
    if (!started) {
      std::ifstream log(g_scratch / "cluster" / "pg.log");
      std::stringstream text;
      text << log.rdbuf();
      FAIL() << "the test cluster did not start: " << started.error().message() << "\n" << text.str();
    }
    g_cluster = std::move(*started);
  }

  void TearDown() override {
    if (g_cluster) g_cluster->stop_blocking();
    g_cluster.reset();
    net::stop_blocking_pool();
    // Kept only on request: a failing suite would otherwise fill /tmp with clusters.
    if (std::getenv("POSTA_KEEP_TEST_DIRS")) {
      std::fprintf(stderr, "test files kept in %s\n", g_scratch.c_str());
      return;
    }
    std::error_code ec;
    fs::remove_all(g_scratch, ec);
  }
};

auto* const registered = ::testing::AddGlobalTestEnvironment(new cluster_environment);

}  // namespace

fs::path scratch_dir() { return g_scratch; }

std::string conninfo_for(std::string const& dbname) { return g_cluster->conninfo(dbname); }

void db_test::SetUpDatabase(bool migrated) {
  ASSERT_TRUE(g_cluster) << "the test cluster did not start";
  static std::atomic<int> counter{0};
  db_name_ = "t" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
  conninfo_ = conninfo_for(db_name_);
  auto created = run([&]() -> asio::awaitable<result<void>> {
    db::connection admin(io_.get_executor());
    POSTA_CO_TRY(co_await admin.connect(conninfo_for("postgres")));
    co_return co_await admin.execute("CREATE DATABASE " + db::quote_identifier(db_name_));
  }());
  ASSERT_TRUE(is_ok(created));
  pool_ = std::make_unique<db::pool>(io_.get_executor(), conninfo_, 4);
  if (!migrated) return;
  auto version = run([&]() -> asio::awaitable<result<int>> {
    POSTA_CO_TRY_ASSIGN(auto conn, co_await pool_->acquire());
    co_return co_await db::migrate(*conn, db::builtin_migrations());
  }());
  ASSERT_TRUE(is_ok(version));
  ASSERT_EQ(*version, db::builtin_migrations().back().version);
}

void db_test::TearDown() {
  pool_.reset();
  if (db_name_.empty() || !g_cluster) return;
  auto dropped = run([&]() -> asio::awaitable<result<void>> {
    db::connection admin(io_.get_executor());
    POSTA_CO_TRY(co_await admin.connect(conninfo_for("postgres")));
    co_return co_await admin.execute("DROP DATABASE IF EXISTS " + db::quote_identifier(db_name_) + " WITH (FORCE)");
  }());
  EXPECT_TRUE(is_ok(dropped));
}

db::rows db_test::sql(std::string text, db::params args) {
  auto r = run(pool_->query(std::move(text), std::move(args)));
  if (!r) throw std::runtime_error("sql failed: " + r.error().message());
  return *r;
}

namespace {

using cluster = db_test;

TEST_F(cluster, EachTestHasItsOwnMigratedDatabase) {
  auto r = sql("SELECT current_database(), (SELECT max(version) FROM schema_version)");
  EXPECT_EQ(r.str(0, 0), db_name_);
  EXPECT_EQ(r.i64(0, 1), db::builtin_migrations().back().version);
}

TEST_F(cluster, ReachableOnlyThroughItsSocketFolder) {
  auto r = sql("SELECT current_setting('listen_addresses'), current_setting('unix_socket_directories')");
  EXPECT_EQ(r.str(0, 0), "");
  EXPECT_NE(r.str(0, 1).find(scratch_dir().string()), std::string::npos) << r.str(0, 1);
}

}  // namespace
}  // namespace posta::itest
