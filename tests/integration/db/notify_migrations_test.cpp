// LISTEN/NOTIFY through db::notifier, and the migration runner: idempotent,
// safe when several nodes start at once, all-or-nothing per migration.
#include "db_fixture.hpp"

#include "core/db/migrations.hpp"
#include "core/db/notifier.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <map>
#include <vector>

namespace posta::itest {
namespace {

using namespace std::chrono_literals;

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::use_awaitable);
}

using notifier = db_test;

// The notifier's loop never ends by itself: it runs on its own io_context,
// which is destroyed (with the loop's frame) before the notifier object.
TEST_F(notifier, DeliversToEverySubscriberOfAChannel) {
  auto io = std::make_unique<asio::io_context>();
  auto n = std::make_unique<db::notifier>(io->get_executor(), conninfo_);
  std::vector<std::string> first, second, other;
  n->subscribe("posta_itest", [&](std::string const& ch, std::string const& p) { first.push_back(ch + ":" + p); });
  n->subscribe("posta_itest", [&](std::string const&, std::string const& p) { second.push_back(p); });
  n->subscribe("Other Channel \"quoted\"", [&](std::string const&, std::string const& p) { other.push_back(p); });
  asio::co_spawn(*io, n->run(), asio::detached);
  bool done = false;
  asio::co_spawn(*io, [&]() -> asio::awaitable<void> {
    db::connection c(io->get_executor());
    if (!co_await c.connect(conninfo_)) co_return;
    // LISTEN is asynchronous to us: repeat the first NOTIFY until it is heard.
    for (int i = 0; i < 100 && first.empty(); ++i) {
      co_await db::notify(c, "posta_itest", "ping");
      co_await sleep_for(100ms);
    }
    auto before = first.size();
    co_await db::notify(c, "posta_itest", "payload with 'quotes' and ünïcode");
    co_await db::notify(c, "Other Channel \"quoted\"", "x");
    co_await db::notify(c, "unheard", "y");
    for (int i = 0; i < 50 && (first.size() == before || other.empty()); ++i) co_await sleep_for(100ms);
    done = true;
    io->stop();
  }, asio::detached);
  io->run_for(30s);
  io.reset();
  n.reset();
  ASSERT_TRUE(done);
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(first.front(), "posta_itest:ping");
  EXPECT_EQ(first.back(), "posta_itest:payload with 'quotes' and ünïcode");
  EXPECT_EQ(second.back(), "payload with 'quotes' and ünïcode");
  EXPECT_EQ(first.size(), second.size());
  EXPECT_EQ(other, std::vector<std::string>{"x"});
}

TEST_F(notifier, ReconnectsAfterItsConnectionIsKilled) {
  auto io = std::make_unique<asio::io_context>();
  auto n = std::make_unique<db::notifier>(io->get_executor(), conninfo_);
  std::vector<std::string> heard;
  n->subscribe("posta_itest", [&](std::string const&, std::string const& p) { heard.push_back(p); });
  asio::co_spawn(*io, n->run(), asio::detached);
  bool done = false;
  asio::co_spawn(*io, [&]() -> asio::awaitable<void> {
    db::connection c(io->get_executor());
    if (!co_await c.connect(conninfo_)) co_return;
    for (int i = 0; i < 100 && heard.empty(); ++i) {
      co_await db::notify(c, "posta_itest", "before");
      co_await sleep_for(100ms);
    }
    // Kill the notifier's backend: it is the one listening.
    co_await c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = current_database() AND pid <> pg_backend_pid()");
    for (int i = 0; i < 100 && (heard.empty() || heard.back() != "after"); ++i) {
      co_await db::notify(c, "posta_itest", "after");
      co_await sleep_for(100ms);
    }
    done = true;
    io->stop();
  }, asio::detached);
  io->run_for(40s);
  io.reset();
  n.reset();
  ASSERT_TRUE(done);
  ASSERT_FALSE(heard.empty());
  EXPECT_EQ(heard.front(), "before");
  EXPECT_EQ(heard.back(), "after");
}

class migrations : public db_test {
 protected:
  void SetUp() override { SetUpDatabase(false); }

  result<int> migrate(std::span<db::migration const> list) {
    return run([&]() -> asio::awaitable<result<int>> {
      POSTA_CO_TRY_ASSIGN(auto conn, co_await pool_->acquire());
      co_return co_await db::migrate(*conn, list);
    }());
  }
};

TEST_F(migrations, BuiltinListIsNumberedInOrder) {
  auto list = db::builtin_migrations();
  ASSERT_FALSE(list.empty());
  // Strictly increasing; gaps are allowed (numbers are assigned to work
  // in progress and merged in any order).
  for (std::size_t i = 0; i < list.size(); ++i) {
    EXPECT_GT(list[i].version, i == 0 ? 0 : list[i - 1].version) << list[i].name;
    EXPECT_FALSE(list[i].name.empty());
    EXPECT_FALSE(list[i].sql.empty());
  }
}

TEST_F(migrations, ApplyingTwiceChangesNothing) {
  auto latest = db::builtin_migrations().back().version;
  auto first = migrate(db::builtin_migrations());
  ASSERT_TRUE(is_ok(first));
  EXPECT_EQ(*first, latest);
  auto applied = sql("SELECT count(*), max(applied_at) FROM schema_version");
  EXPECT_EQ(applied.i64(0, 0), static_cast<std::int64_t>(db::builtin_migrations().size()));
  auto again = migrate(db::builtin_migrations());
  ASSERT_TRUE(is_ok(again));
  EXPECT_EQ(*again, latest);
  auto after = sql("SELECT count(*), max(applied_at) FROM schema_version");
  EXPECT_EQ(after.i64(0, 0), applied.i64(0, 0));
  EXPECT_EQ(after.str(0, 1), applied.str(0, 1));
  // The schema is really there.
  EXPECT_TRUE(sql("SELECT to_regclass('accounts') IS NOT NULL").boolean(0, 0));
}

TEST_F(migrations, ConcurrentStartsApplyEachMigrationOnce) {
  auto latest = db::builtin_migrations().back().version;
  // Four "nodes", each with its own connection, migrate at the same moment.
  std::vector<result<int>> outcomes;
  std::vector<std::unique_ptr<db::connection>> conns;
  for (int i = 0; i < 4; ++i) conns.push_back(std::make_unique<db::connection>(io_.get_executor()));
  for (auto& c : conns) {
    asio::co_spawn(io_, [&, conn = c.get()]() -> asio::awaitable<void> {
      auto connected = co_await conn->connect(conninfo_);
      if (!connected) {
        outcomes.push_back(connected.error());
        co_return;
      }
      outcomes.push_back(co_await db::migrate(*conn, db::builtin_migrations()));
    }, asio::detached);
  }
  io_.restart();
  io_.run_for(std::chrono::seconds(120));
  ASSERT_EQ(outcomes.size(), 4u);
  for (auto const& o : outcomes) {
    ASSERT_TRUE(is_ok(o));
    EXPECT_EQ(*o, latest);
  }
  auto rows = sql("SELECT count(*), count(DISTINCT version) FROM schema_version");
  EXPECT_EQ(rows.i64(0, 0), static_cast<std::int64_t>(db::builtin_migrations().size()));
  EXPECT_EQ(rows.i64(0, 1), rows.i64(0, 0));
}

TEST_F(migrations, AFailingMigrationLeavesNothingOfItself) {
  static db::migration const broken[] = {
      {1, "one", "CREATE TABLE m1(x int); INSERT INTO m1 VALUES (1);"},
      {2, "two", "CREATE TABLE m2(x int); INSERT INTO m2 VALUES ('not a number');"},
      {3, "three", "CREATE TABLE m3(x int);"},
  };
  auto r = migrate(broken);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().context.find("two"), std::string::npos) << r.error().message();
  auto state = sql("SELECT (SELECT max(version) FROM schema_version), to_regclass('m1') IS NOT NULL, "
                   "to_regclass('m2') IS NOT NULL, to_regclass('m3') IS NOT NULL");
  EXPECT_EQ(state.i64(0, 0), 1);
  EXPECT_TRUE(state.boolean(0, 1));
  EXPECT_FALSE(state.boolean(0, 2));
  EXPECT_FALSE(state.boolean(0, 3));
  // Fixed, the same list continues from version 2.
  static db::migration const fixed[] = {
      {1, "one", "THIS IS NOT RUN AGAIN"},
      {2, "two", "CREATE TABLE m2(x int);"},
      {3, "three", "CREATE TABLE m3(x int);"},
  };
  auto r2 = migrate(fixed);
  ASSERT_TRUE(is_ok(r2));
  EXPECT_EQ(*r2, 3);
  EXPECT_EQ(sql("SELECT count(*) FROM m1").i64(0, 0), 1);
  // The advisory lock was released after the failure: another migrate does not hang.
  EXPECT_TRUE(is_ok(migrate(fixed)));
}

// Migration numbers are assigned ahead of time and merged in any order: a
// database already at 7 still gets 5 when it arrives, once.
TEST_F(migrations, AGapFilledLaterIsApplied) {
  static db::migration const early[] = {
      {1, "one", "CREATE TABLE g1(x int);"},
      {7, "seven", "CREATE TABLE g7(x int);"},
  };
  auto r = migrate(early);
  ASSERT_TRUE(is_ok(r));
  EXPECT_EQ(*r, 7);
  static db::migration const later[] = {
      {1, "one", "THIS IS NOT RUN AGAIN"},
      {5, "five", "CREATE TABLE g5(x int);"},
      {7, "seven", "THIS IS NOT RUN AGAIN EITHER"},
  };
  auto r2 = migrate(later);
  ASSERT_TRUE(is_ok(r2));
  EXPECT_EQ(*r2, 7);
  EXPECT_TRUE(sql("SELECT to_regclass('g5') IS NOT NULL").boolean(0, 0));
  EXPECT_EQ(sql("SELECT count(*) FROM schema_version").i64(0, 0), 3);
  EXPECT_TRUE(is_ok(migrate(later)));
  EXPECT_EQ(sql("SELECT count(*) FROM schema_version").i64(0, 0), 3);
}

}  // namespace
}  // namespace posta::itest
