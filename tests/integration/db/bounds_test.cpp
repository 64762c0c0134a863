// core/db's guarantees against a real PostgreSQL: client bytes that text
// cannot hold are refused before SQL (the transaction lives on), every
// connection carries its bounds and synchronous_commit = on, and no wait is
// unbounded: a statement, an unresponsive server, a busy pool, an outage.
#include "db_fixture.hpp"

#include <boost/asio/ip/tcp.hpp>

namespace posta::itest {
namespace {

using namespace std::string_literals;
using bounds = db_test;

db::connection_options with_timeout(int ms) { return db::connection_options{std::chrono::milliseconds(ms)}; }

TEST_F(bounds, UnstorableTextIsRefusedBeforeSqlAndTheTransactionLivesOn) {
  sql("CREATE TABLE kept(v text)");
  run([&]() -> asio::awaitable<void> {
    auto r = co_await pool_->transaction([&](db::connection& c) -> asio::awaitable<result<void>> {
      POSTA_CO_TRY(co_await c.q("INSERT INTO kept VALUES ($1)", "before"));
      auto nul = co_await c.q("INSERT INTO kept VALUES ($1)", "a\0b"s);
      EXPECT_TRUE(fails_with(nul, errc::invalid_argument));
      EXPECT_NE(nul.error().context.find("parameter $1"), std::string::npos) << nul.error().context;
      std::vector<db::statement> batch{{"INSERT INTO kept VALUES ($1)", db::make_params("ok")},
                                       {"INSERT INTO kept VALUES ($1)", db::make_params("abc\xff")}};
      auto piped = co_await c.pipeline(std::move(batch));
      EXPECT_TRUE(fails_with(piped, errc::invalid_argument));
      // Nothing reached the server, so the transaction is not aborted.
      POSTA_CO_TRY(co_await c.q("INSERT INTO kept VALUES ($1)", "after"));
      co_return result<void>{};
    });
    CO_ASSERT_OK(r);
  }());
  EXPECT_EQ(sql("SELECT string_agg(v, ',' ORDER BY v) FROM kept").str(0, 0), "after,before");
}

TEST_F(bounds, EveryConnectionCarriesItsBoundsAndSynchronousCommit) {
  run([&]() -> asio::awaitable<void> {
    db::connection c(io_.get_executor());
    CO_ASSERT_OK(co_await c.connect(conninfo_, with_timeout(1500)));
    auto r = co_await c.q("SELECT current_setting('statement_timeout'), "
                          "current_setting('idle_in_transaction_session_timeout'), current_setting('synchronous_commit')");
    CO_ASSERT_OK(r);
    EXPECT_EQ(r->str(0, 0), "1500ms");
    EXPECT_EQ(r->str(0, 1), "1500ms");
    EXPECT_EQ(r->str(0, 2), "on");
  }());
  // The pool applies a changed setting on the next acquire.
  pool_->set_options(with_timeout(2500));
  auto r = run(pool_->query("SELECT current_setting('statement_timeout')"));
  ASSERT_TRUE(is_ok(r));
  EXPECT_EQ(r->str(0, 0), "2500ms");
}

TEST_F(bounds, AStatementPastItsBoundFailsAsUnavailableAndTheConnectionRecovers) {
  run([&]() -> asio::awaitable<void> {
    db::connection c(io_.get_executor());
    CO_ASSERT_OK(co_await c.connect(conninfo_, with_timeout(200)));
    auto slow = co_await c.query("SELECT pg_sleep(30)");
    EXPECT_TRUE(fails_with(slow, errc::unavailable));
    EXPECT_NE(slow.error().context.find("[57014]"), std::string::npos) << slow.error().context;
    CO_ASSERT_OK(co_await c.query("SELECT 1"));
  }());
}

TEST_F(bounds, AServerThatNeverAnswersIsGivenUpOn) {
  // A listener that accepts and then says nothing, like a stopped postgres.
  asio::ip::tcp::acceptor silent(io_, {asio::ip::make_address("127.0.0.1"), 0});
  asio::ip::tcp::socket held(io_);
  silent.async_accept(held, [](boost::system::error_code) {});
  auto port = std::to_string(silent.local_endpoint().port());
  run([&]() -> asio::awaitable<void> {
    db::connection c(io_.get_executor());
    auto r = co_await c.connect("host=127.0.0.1 port=" + port + " dbname=x user=x sslmode=disable", with_timeout(100));
    EXPECT_TRUE(fails_with(r, errc::unavailable));
    EXPECT_FALSE(c.is_open());
  }(), std::chrono::seconds(20));
}

TEST_F(bounds, AcquireFromABusyPoolIsBounded) {
  db::pool one(io_.get_executor(), conninfo_, 1);
  one.set_options(with_timeout(100));
  run([&]() -> asio::awaitable<void> {
    auto first = co_await one.acquire();
    CO_ASSERT_OK(first);
    auto second = co_await one.acquire();
    EXPECT_TRUE(fails_with(second, errc::unavailable));
  }(), std::chrono::seconds(20));
  // The held connection came back: the pool still has its one slot.
  EXPECT_TRUE(is_ok(run(one.query("SELECT 1"))));
}

TEST_F(bounds, ReconnectsBackOffDuringAnOutage) {
  db::pool nowhere(io_.get_executor(), "host=" + (scratch_dir() / "nowhere").string() + " port=1 dbname=x", 2);
  auto first = run(nowhere.query("SELECT 1"));
  ASSERT_TRUE(fails_with(first, errc::unavailable));
  // Right after a failed attempt the next one is not even tried.
  auto second = run(nowhere.query("SELECT 1"));
  ASSERT_TRUE(fails_with(second, errc::unavailable));
  EXPECT_NE(second.error().context.find("backoff"), std::string::npos) << second.error().context;
}

}  // namespace
}  // namespace posta::itest
