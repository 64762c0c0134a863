// Tests of run_blocking, run_disk and run_cpu: the work runs off the io
// threads, the caller resumes on its own strand, and the pools are apart.
#include "core/net/blocking.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

namespace posta::net {
namespace {

namespace asio = boost::asio;
using strand_type = asio::strand<asio::io_context::executor_type>;

struct observation {
  std::thread::id caller, worker, resumed;
  bool back_on_strand = false;
  int value = 0;
};

asio::awaitable<observation> observe(strand_type strand) {
  observation o;
  o.caller = std::this_thread::get_id();
  o.value = co_await run_blocking([&o] {
    o.worker = std::this_thread::get_id();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a "blocking" call
    return 42;
  });
  o.resumed = std::this_thread::get_id();
  o.back_on_strand = strand.running_in_this_thread();
  co_return o;
}

TEST(net_run_blocking, runs_on_the_pool_and_resumes_on_the_strand) {
  asio::io_context io;
  auto strand = asio::make_strand(io);
  auto fut = asio::co_spawn(strand, observe(strand), asio::use_future);
  std::thread runner([&io] { io.run(); });
  observation o = fut.get();
  runner.join();
  EXPECT_EQ(o.value, 42);
  EXPECT_NE(o.worker, o.caller);
  EXPECT_EQ(o.resumed, o.caller);  // the only io thread
  EXPECT_TRUE(o.back_on_strand);
}

asio::awaitable<int> void_and_throwing() {
  int side_effect = 0;
  co_await run_blocking([&side_effect] { side_effect = 7; });
  try {
    co_await run_blocking([]() -> int { throw std::runtime_error("from the pool"); });
  } catch (std::runtime_error const& e) {
    if (std::string(e.what()) == "from the pool") side_effect += 100;
  }
  co_return side_effect;
}

TEST(net_run_blocking, void_functions_and_exceptions) {
  asio::io_context io;
  auto fut = asio::co_spawn(io, void_and_throwing(), asio::use_future);
  io.run();
  EXPECT_EQ(fut.get(), 107);
}

TEST(net_run_blocking, io_thread_stays_free_while_work_blocks) {
  asio::io_context io;
  std::atomic<bool> release{false};
  std::atomic<int> ticks{0};
  auto slow = asio::co_spawn(io, run_blocking([&release] {
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return 1;
  }), asio::use_future);
  for (int i = 0; i < 5; ++i) asio::post(io, [&ticks] { ++ticks; });
  asio::post(io, [&release] { release = true; });
  io.run();
  EXPECT_EQ(ticks, 5);
  EXPECT_EQ(slow.get(), 1);
}

// A burst of CPU work (argon2 for many logins at once) fills the CPU pool;
// disk work (the fsync before a 250) still runs at once on its own pool.
TEST(net_pools, a_full_cpu_pool_does_not_hold_up_disk_work) {
  ASSERT_TRUE(configure_pools(2, 2));  // first use in this process
  asio::io_context io;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> cpu_started{0};
  std::vector<std::future<int>> cpu;
  for (int i = 0; i < 6; ++i)  // three times the pool
    cpu.push_back(asio::co_spawn(io, run_cpu([released, &cpu_started] {
      ++cpu_started;
      released.wait();
      return 1;
    }), asio::use_future));
  auto disk = asio::co_spawn(io, run_disk([] { return std::this_thread::get_id(); }), asio::use_future);
  std::thread runner([&io] { io.run(); });
  EXPECT_EQ(disk.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_LE(cpu_started.load(), 2);  // bounded: the rest wait their turn
  release.set_value();
  for (auto& f : cpu) EXPECT_EQ(f.get(), 1);
  runner.join();
  EXPECT_EQ(cpu_started.load(), 6);
  EXPECT_FALSE(configure_pools(8, 8));  // too late: the pools exist
}

}  // namespace
}  // namespace posta::net
