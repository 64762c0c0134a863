// Shared fixture of the integration_db tests: one private PostgreSQL cluster
// per process (started by a global gtest environment), a fresh database per
// test, and run() to drive a coroutine to completion on the test's io_context.
#pragma once

#include "core/db/pool.hpp"
#include "core/util/result.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

namespace posta::itest {

// A folder for this process's files (cluster, blob stores), 0755 under /tmp.
std::filesystem::path scratch_dir();
// libpq connection string of `dbname` on the test cluster.
std::string conninfo_for(std::string const& dbname);

template <class T>
::testing::AssertionResult is_ok(result<T> const& r) {
  if (r) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "error: " << r.error().message();
}

template <class T>
::testing::AssertionResult fails_with(result<T> const& r, errc code) {
  if (r) return ::testing::AssertionFailure() << "succeeded, expected " << make_error_code(code).message();
  if (r.error().code == code) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "failed with '" << r.error().message() << "', expected "
                                       << make_error_code(code).message();
}

class db_test : public ::testing::Test {
 protected:
  // A fresh database; with `migrated`, the built-in schema is applied.
  void SetUp() override { SetUpDatabase(true); }
  void SetUpDatabase(bool migrated);
  // Drops the test's database: dropped files cost the cluster's final
  // checkpoint nothing, which keeps the suite's shutdown short.
  void TearDown() override;

  // Runs `aw` on io_ until it finishes (at most `limit`) and returns its value.
  template <class T>
  T run(asio::awaitable<T> aw, std::chrono::seconds limit = std::chrono::seconds(120)) {
    auto done = asio::co_spawn(io_, std::move(aw), asio::use_future);
    io_.restart();
    io_.run_for(limit);
    if (done.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
      throw std::runtime_error("test coroutine did not finish in time");
    return done.get();
  }

  // A statement that must succeed (set-up and inspection of the database).
  db::rows sql(std::string text, db::params args = {});

  asio::io_context io_;
  std::string db_name_;
  std::string conninfo_;
  std::unique_ptr<db::pool> pool_;
};

}  // namespace posta::itest

// Assertions inside coroutines returning awaitable<void>: gtest's ASSERT_*
// would `return`, which a coroutine cannot.
#define CO_ASSERT_TRUE(cond)                                 \
  do {                                                       \
    if (!(cond)) {                                           \
      ADD_FAILURE() << "expected true: " #cond;              \
      co_return;                                             \
    }                                                        \
  } while (false)
#define CO_ASSERT_OK(r)                                      \
  do {                                                       \
    auto const& co_assert_r_ = (r);                          \
    if (!co_assert_r_) {                                     \
      ADD_FAILURE() << #r << ": " << co_assert_r_.error().message(); \
      co_return;                                             \
    }                                                        \
  } while (false)
