// core/db against a real PostgreSQL: parameters and NULLs, SQLSTATE → errc,
// the connection after errors, pipeline mode, and the pool under contention.
#include "db_fixture.hpp"

#include "core/db/error.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <vector>

namespace posta::itest {
namespace {

using connection = db_test;

TEST_F(connection, ParametersRoundTripAsValuesNeverAsSql) {
  run([&]() -> asio::awaitable<void> {
    db::connection c(io_.get_executor());
    CO_ASSERT_OK(co_await c.connect(conninfo_));
    EXPECT_TRUE(c.is_open());
    EXPECT_TRUE(c.is_idle());
    std::string hostile = "'); DROP TABLE schema_version; --";
    auto r = co_await c.q("SELECT $1::bigint + 1 AS n, $2::text AS t, $3::text AS nothing, $4::boolean AS b, "
                          "$5::text AS unicode, $6::bigint AS big",
                          41, hostile, nullptr, true, std::string("grüße \xe2\x9c\x93"), INT64_MIN);
    CO_ASSERT_OK(r);
    EXPECT_EQ(r->size(), 1);
    EXPECT_EQ(r->columns(), 6);
    EXPECT_EQ(r->i64(0, "n"), 42);
    EXPECT_EQ(r->str(0, "t"), hostile);
    EXPECT_TRUE(r->is_null(0, "nothing"));
    EXPECT_FALSE(r->is_null(0, "t"));
    EXPECT_EQ(r->opt(0, r->column("nothing")), std::nullopt);
    EXPECT_EQ(r->text(0, "nothing"), "");
    EXPECT_TRUE(r->boolean(0, "b"));
    EXPECT_EQ(r->str(0, "unicode"), "grüße \xe2\x9c\x93");
    EXPECT_EQ(r->i64(0, "big"), INT64_MIN);
    EXPECT_EQ(r->column("no_such_column"), -1);
    auto still = co_await c.query("SELECT count(*) FROM schema_version");
    CO_ASSERT_OK(still);
    EXPECT_GE(still->i64(0, 0), 1);
  }());
}

TEST_F(connection, OptionalParametersAreNullWhenEmpty) {
  sql("CREATE TABLE opt_t(a text, b bigint)");
  std::optional<std::string> none;
  std::optional<std::int64_t> some = 7;
  sql("INSERT INTO opt_t VALUES ($1, $2)", db::make_params(none, some));
  auto r = sql("SELECT a IS NULL, b FROM opt_t");
  EXPECT_TRUE(r.boolean(0, 0));
  EXPECT_EQ(r.i64(0, 1), 7);
}

TEST_F(connection, BinaryParametersCarryAnyBytes) {
  sql("CREATE TABLE bin_t(id integer, b bytea)");
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));  // NUL and invalid UTF-8 included
  all += std::string(100000, '\xff');
  sql("INSERT INTO bin_t VALUES ($1, $2::bytea)", db::make_params(1, db::bytes{all}));
  // Text and binary parameters in one statement, in a pipeline too.
  run([&]() -> asio::awaitable<void> {
    auto c = co_await pool_->acquire();
    CO_ASSERT_OK(c);
    std::vector<db::statement> st;
    st.push_back({"INSERT INTO bin_t VALUES ($1, $2::bytea)", db::make_params(2, db::bytes{std::string("\0a\0", 3)})});
    CO_ASSERT_OK(co_await (*c)->pipeline(std::move(st)));
  }());
  auto r = sql("SELECT b, length(b) FROM bin_t ORDER BY id");
  ASSERT_EQ(r.size(), 2);
  EXPECT_EQ(r.bytes(0, 0), all);
  EXPECT_EQ(r.i64(0, 1), static_cast<std::int64_t>(all.size()));
  EXPECT_EQ(r.bytes(1, 0), std::string("\0a\0", 3));
}

TEST_F(connection, RowsAndAffectedCounts) {
  sql("CREATE TABLE nums(n integer PRIMARY KEY)");
  auto inserted = sql("INSERT INTO nums SELECT generate_series(1, 25)");
  EXPECT_EQ(inserted.affected(), 25);
  auto updated = sql("UPDATE nums SET n = n + 100 WHERE n > $1", db::make_params(20));
  EXPECT_EQ(updated.affected(), 5);
  auto rows = sql("SELECT n FROM nums ORDER BY n");
  ASSERT_EQ(rows.size(), 25);
  EXPECT_EQ(rows.i64(0, 0), 1);
  EXPECT_EQ(rows.i64(24, 0), 125);
  EXPECT_TRUE(sql("SELECT n FROM nums WHERE n < 0").empty());
}

TEST_F(connection, ErrorsMapToPostaCodes) {
  sql("CREATE TABLE parent(id integer PRIMARY KEY, v integer CHECK (v >= 0) NOT NULL)");
  sql("CREATE TABLE child(parent_id integer REFERENCES parent(id))");
  sql("INSERT INTO parent VALUES (1, 1)");
  run([&]() -> asio::awaitable<void> {
    db::connection c(io_.get_executor());
    CO_ASSERT_OK(co_await c.connect(conninfo_));
    auto dup = co_await c.q("INSERT INTO parent VALUES ($1, 1)", 1);
    EXPECT_TRUE(fails_with(dup, errc::already_exists));
    if (!dup) {
      EXPECT_TRUE(db::is_unique_violation(dup.error()));
      EXPECT_NE(dup.error().context.find("23505"), std::string::npos) << dup.error().context;
    }
    EXPECT_TRUE(fails_with(co_await c.q("INSERT INTO child VALUES ($1)", 99), errc::conflict));
    EXPECT_TRUE(fails_with(co_await c.q("INSERT INTO parent VALUES (2, -1)"), errc::invalid_argument));
    EXPECT_TRUE(fails_with(co_await c.q("INSERT INTO parent VALUES (3, NULL)"), errc::invalid_argument));
    EXPECT_TRUE(fails_with(co_await c.q("SELECT $1::integer", "not a number"), errc::invalid_argument));
    auto syntax = co_await c.query("SELEKT 1");
    EXPECT_FALSE(syntax);
    if (!syntax) {
      EXPECT_FALSE(db::is_unique_violation(syntax.error()));
    }
    EXPECT_FALSE(co_await c.query("SELECT * FROM no_such_table"));
    // After every error the connection is still usable and idle.
    EXPECT_TRUE(c.is_idle());
    auto ok = co_await c.query("SELECT 1");
    CO_ASSERT_OK(ok);
    EXPECT_EQ(ok->i64(0, 0), 1);
  }());
}

TEST_F(connection, ExecuteRunsSeveralStatementsAndStopsAtAnError) {
  run([&]() -> asio::awaitable<void> {
    db::connection c(io_.get_executor());
    CO_ASSERT_OK(co_await c.connect(conninfo_));
    CO_ASSERT_OK(co_await c.execute("CREATE TABLE e(x int); INSERT INTO e VALUES (1); INSERT INTO e VALUES (2)"));
    auto bad = co_await c.execute("INSERT INTO e VALUES (3); INSERT INTO e VALUES ('x'); INSERT INTO e VALUES (4)");
    EXPECT_FALSE(bad);
    // A multi-statement string is one implicit transaction: nothing of it stays.
    auto count = co_await c.query("SELECT count(*), max(x) FROM e");
    CO_ASSERT_OK(count);
    EXPECT_EQ(count->i64(0, 0), 2);
    EXPECT_EQ(count->i64(0, 1), 2);
  }());
}

TEST_F(connection, ConnectFailureIsUnavailable) {
  run([&]() -> asio::awaitable<void> {
    db::connection c(io_.get_executor());
    auto r = co_await c.connect("host=" + (scratch_dir() / "nowhere").string() + " port=1 dbname=x user=postgres");
    EXPECT_TRUE(fails_with(r, errc::unavailable));
    EXPECT_FALSE(c.is_open());
    EXPECT_FALSE(co_await c.query("SELECT 1"));
    auto wrong_db = co_await c.connect(conninfo_for("no_such_database"));
    EXPECT_TRUE(fails_with(wrong_db, errc::unavailable));
    // The same object connects fine afterwards.
    CO_ASSERT_OK(co_await c.connect(conninfo_));
    EXPECT_TRUE(co_await c.query("SELECT 1"));
  }());
}

TEST_F(connection, ServerSideDisconnectIsReportedNotHidden) {
  run([&]() -> asio::awaitable<void> {
    db::connection victim(io_.get_executor());
    CO_ASSERT_OK(co_await victim.connect(conninfo_));
    auto pid = co_await victim.query("SELECT pg_backend_pid()");
    CO_ASSERT_OK(pid);
    db::connection killer(io_.get_executor());
    CO_ASSERT_OK(co_await killer.connect(conninfo_));
    CO_ASSERT_OK(co_await killer.q("SELECT pg_terminate_backend($1::int)", pid->i64(0, 0)));
    asio::steady_timer t(io_.get_executor(), std::chrono::milliseconds(200));
    co_await t.async_wait(asio::use_awaitable);
    auto r = co_await victim.query("SELECT 1");
    EXPECT_FALSE(r);
    EXPECT_FALSE(victim.is_idle());
  }());
}

TEST_F(connection, PipelineRunsManyStatementsInOrder) {
  sql("CREATE TABLE p(i integer PRIMARY KEY, label text)");
  run([&]() -> asio::awaitable<void> {
    db::connection c(io_.get_executor());
    CO_ASSERT_OK(co_await c.connect(conninfo_));
    std::vector<db::statement> batch;
    for (int i = 0; i < 2000; ++i)
      batch.push_back({"INSERT INTO p VALUES ($1, $2) RETURNING i", db::make_params(i, "row " + std::to_string(i))});
    batch.push_back({"SELECT count(*) FROM p", {}});
    auto results = co_await c.pipeline(std::move(batch));
    CO_ASSERT_OK(results);
    CO_ASSERT_TRUE(results->size() == 2001);
    EXPECT_EQ((*results)[0].i64(0, 0), 0);
    EXPECT_EQ((*results)[1999].i64(0, 0), 1999);
    EXPECT_EQ((*results)[2000].i64(0, 0), 2000);
    EXPECT_TRUE(c.is_idle());
  }());
}

TEST_F(connection, PipelineStopsAtTheFirstErrorAndTheConnectionRecovers) {
  sql("CREATE TABLE p(i integer PRIMARY KEY)");
  run([&]() -> asio::awaitable<void> {
    db::connection c(io_.get_executor());
    CO_ASSERT_OK(co_await c.connect(conninfo_));
    CO_ASSERT_OK(co_await c.execute("BEGIN"));
    std::vector<db::statement> batch = {{"INSERT INTO p VALUES ($1)", db::make_params(1)},
                                        {"INSERT INTO p VALUES ($1)", db::make_params(1)},
                                        {"INSERT INTO p VALUES ($1)", db::make_params(3)}};
    auto r = co_await c.pipeline(std::move(batch));
    EXPECT_TRUE(fails_with(r, errc::already_exists));
    CO_ASSERT_OK(co_await c.execute("ROLLBACK"));
    auto count = co_await c.query("SELECT count(*) FROM p");
    CO_ASSERT_OK(count);
    EXPECT_EQ(count->i64(0, 0), 0);
    // Pipelining again on the same connection works.
    std::vector<db::statement> again = {{"INSERT INTO p VALUES ($1)", db::make_params(5)}};
    CO_ASSERT_OK(co_await c.pipeline(std::move(again)));
    auto after = co_await c.query("SELECT i FROM p");
    CO_ASSERT_OK(after);
    EXPECT_EQ(after->i64(0, 0), 5);
  }());
}

// begin_lazily() really begins a transaction with the next statement, of
// every kind (query, pipeline, execute), and one that sent nothing ends
// without a round trip.
TEST_F(connection, LazyBeginOpensTheTransactionWithTheNextStatement) {
  sql("CREATE TABLE lazy(i integer PRIMARY KEY)");
  run([&]() -> asio::awaitable<void> {
    db::connection c(io_.get_executor());
    CO_ASSERT_OK(co_await c.connect(conninfo_));
    c.begin_lazily();
    EXPECT_FALSE(c.is_idle());  // never handed to another user like this
    CO_ASSERT_OK(co_await c.q("INSERT INTO lazy VALUES ($1)", 1));
    EXPECT_FALSE(c.is_idle());  // inside the transaction
    CO_ASSERT_OK(co_await c.execute("ROLLBACK"));
    c.begin_lazily();
    std::vector<db::statement> batch = {{"INSERT INTO lazy VALUES ($1)", db::make_params(2)},
                                        {"SELECT count(*) FROM lazy", {}}};
    auto r = co_await c.pipeline(std::move(batch));
    CO_ASSERT_OK(r);
    CO_ASSERT_TRUE(r->size() == 2);  // BEGIN's own result is not among them
    EXPECT_EQ((*r)[1].i64(0, 0), 1);
    CO_ASSERT_OK(co_await c.execute("ROLLBACK"));
    c.begin_lazily("BEGIN ISOLATION LEVEL REPEATABLE READ");
    CO_ASSERT_OK(co_await c.execute("INSERT INTO lazy VALUES (3)"));
    auto level = co_await c.query("SHOW transaction_isolation");
    CO_ASSERT_OK(level);
    EXPECT_EQ(level->str(0, 0), "repeatable read");
    CO_ASSERT_OK(co_await c.execute("COMMIT"));
    c.begin_lazily();
    CO_ASSERT_OK(co_await c.execute("COMMIT"));  // nothing begun, nothing sent
    EXPECT_TRUE(c.is_idle());
    auto rows = co_await c.query("SELECT i FROM lazy ORDER BY i");
    CO_ASSERT_OK(rows);
    CO_ASSERT_TRUE(rows->size() == 1);  // the two rolled back, the committed one kept
    EXPECT_EQ(rows->i64(0, 0), 3);
  }());
}

TEST_F(connection, LargeValuesCrossTheSocketBothWays) {
  std::string big(3 * 1024 * 1024, 'x');
  for (std::size_t i = 0; i < big.size(); i += 997) big[i] = static_cast<char>('a' + i % 26);
  sql("CREATE TABLE blobby(v text)");
  sql("INSERT INTO blobby VALUES ($1)", db::make_params(big));
  auto r = sql("SELECT v, length(v) FROM blobby");
  EXPECT_EQ(r.i64(0, 1), static_cast<std::int64_t>(big.size()));
  EXPECT_TRUE(r.str(0, 0) == big);
}

using pool = db_test;

TEST_F(pool, MoreCoroutinesThanConnectionsAllFinish) {
  // The fixture's pool has 4 connections; 40 coroutines share them.
  sql("CREATE TABLE hits(worker integer, backend integer)");
  int finished = 0;
  int failed = 0;
  for (int w = 0; w < 40; ++w) {
    asio::co_spawn(io_, [&, w]() -> asio::awaitable<void> {
      auto lease = co_await pool_->acquire();
      if (!lease) {
        ++failed;
        co_return;
      }
      auto r = co_await (*lease)->q("INSERT INTO hits SELECT $1, pg_backend_pid() FROM pg_sleep(0.02)", w);
      if (r) ++finished; else ++failed;
    }, asio::detached);
  }
  io_.restart();
  io_.run_for(std::chrono::seconds(60));
  EXPECT_EQ(finished, 40);
  EXPECT_EQ(failed, 0);
  auto backends = sql("SELECT count(DISTINCT backend), count(*) FROM hits");
  EXPECT_LE(backends.i64(0, 0), 4);
  EXPECT_EQ(backends.i64(0, 1), 40);
}

TEST_F(pool, QueriesShareAtMostPoolSizeConnections) {
  std::vector<std::int64_t> seen;
  for (int w = 0; w < 24; ++w) {
    asio::co_spawn(io_, [&]() -> asio::awaitable<void> {
      auto r = co_await pool_->query("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                     "AND backend_type = 'client backend'");
      if (r) seen.push_back(r->i64(0, 0));
    }, asio::detached);
  }
  io_.restart();
  io_.run_for(std::chrono::seconds(60));
  ASSERT_EQ(seen.size(), 24u);
  EXPECT_LE(*std::max_element(seen.begin(), seen.end()), 4);
}

TEST_F(pool, TransactionCommitsOnSuccess) {
  sql("CREATE TABLE t(x integer)");
  auto r = run(pool_->transaction([](db::connection& c) -> asio::awaitable<result<int>> {
    POSTA_CO_TRY(co_await c.q("INSERT INTO t VALUES ($1)", 1));
    POSTA_CO_TRY(co_await c.q("INSERT INTO t VALUES ($1)", 2));
    co_return 7;
  }));
  ASSERT_TRUE(is_ok(r));
  EXPECT_EQ(*r, 7);
  EXPECT_EQ(sql("SELECT count(*) FROM t").i64(0, 0), 2);
}

TEST_F(pool, TransactionRollsBackWhenTheBodyFails) {
  sql("CREATE TABLE t(x integer)");
  auto r = run(pool_->transaction([](db::connection& c) -> asio::awaitable<result<void>> {
    POSTA_CO_TRY(co_await c.q("INSERT INTO t VALUES ($1)", 1));
    co_return make_error(errc::conflict, "changed my mind");
  }));
  EXPECT_TRUE(fails_with(r, errc::conflict));
  EXPECT_EQ(sql("SELECT count(*) FROM t").i64(0, 0), 0);
  // A failing statement inside the body rolls back the earlier ones too.
  auto r2 = run(pool_->transaction([](db::connection& c) -> asio::awaitable<result<void>> {
    POSTA_CO_TRY(co_await c.q("INSERT INTO t VALUES ($1)", 1));
    POSTA_CO_TRY(co_await c.q("INSERT INTO t VALUES ($1)", "x"));
    co_return result<void>{};
  }));
  EXPECT_TRUE(fails_with(r2, errc::invalid_argument));
  EXPECT_EQ(sql("SELECT count(*) FROM t").i64(0, 0), 0);
}

TEST_F(pool, FailedCommitRollsBackAndReportsTheError) {
  sql("CREATE TABLE d(x integer UNIQUE DEFERRABLE INITIALLY DEFERRED)");
  auto r = run(pool_->transaction([](db::connection& c) -> asio::awaitable<result<void>> {
    POSTA_CO_TRY(co_await c.q("INSERT INTO d VALUES ($1)", 1));
    POSTA_CO_TRY(co_await c.q("INSERT INTO d VALUES ($1)", 1));  // checked only at COMMIT
    co_return result<void>{};
  }));
  EXPECT_TRUE(fails_with(r, errc::already_exists));
  EXPECT_EQ(sql("SELECT count(*) FROM d").i64(0, 0), 0);
}

TEST_F(pool, ConnectionsComeBackCleanAfterErrors) {
  sql("CREATE TABLE t(x integer)");
  // Leave a lease mid-transaction: the pool must not hand that state to the next user.
  run([&]() -> asio::awaitable<void> {
    auto lease = co_await pool_->acquire();
    CO_ASSERT_OK(lease);
    CO_ASSERT_OK(co_await (*lease)->execute("BEGIN"));
    CO_ASSERT_OK(co_await (*lease)->q("INSERT INTO t VALUES (1)"));
  }());
  for (int i = 0; i < 8; ++i) {
    auto r = run(pool_->query("SELECT count(*) FROM t"));
    ASSERT_TRUE(is_ok(r));
    EXPECT_EQ(r->i64(0, 0), 0);
  }
}

TEST_F(pool, ReconnectsAfterTheServerDropsConnections) {
  ASSERT_TRUE(is_ok(run(pool_->query("SELECT 1"))));
  // Terminate every backend of this database except the one doing the terminating.
  db::pool other(io_.get_executor(), conninfo_for("postgres"), 1);
  auto killed = run(other.q("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1",
                            db_name_));
  ASSERT_TRUE(is_ok(killed));
  // Each pooled connection fails at most once, then is re-opened.
  int ok = 0;
  for (int i = 0; i < 12; ++i) ok += run(pool_->query("SELECT 1")).has_value();
  EXPECT_GE(ok, 8);
  EXPECT_TRUE(is_ok(run(pool_->query("SELECT 1"))));
}

}  // namespace
}  // namespace posta::itest
