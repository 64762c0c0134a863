// The thread pools behind run_blocking, run_disk and run_cpu: see blocking.hpp.
#include "core/net/blocking.hpp"

#include <boost/asio/thread_pool.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

namespace posta::net {
namespace {

struct pool_sizes {
  std::size_t disk = 4;
  std::size_t cpu = 2;
};

std::mutex sizes_mutex;
pool_sizes sizes;
std::atomic<bool> sized_pools_started{false};

std::size_t size_of(pool_kind kind) {
  std::lock_guard lock(sizes_mutex);
  sized_pools_started = true;
  return kind == pool_kind::disk ? sizes.disk : sizes.cpu;
}

boost::asio::thread_pool& general_pool() {
  // Two at least, so that one slow call (an LDAP bind to a dead server) does
  // not stall every other; four at most, to leave the cores to the io threads.
  static boost::asio::thread_pool instance(std::clamp(std::thread::hardware_concurrency(), 2u, 4u));
  return instance;
}

boost::asio::thread_pool& disk_pool() {
  static boost::asio::thread_pool instance(size_of(pool_kind::disk));
  return instance;
}

boost::asio::thread_pool& cpu_pool() {
  static boost::asio::thread_pool instance(size_of(pool_kind::cpu));
  return instance;
}

boost::asio::thread_pool& pool(pool_kind kind) {
  switch (kind) {
    case pool_kind::disk: return disk_pool();
    case pool_kind::cpu: return cpu_pool();
    case pool_kind::general: break;
  }
  return general_pool();
}

}  // namespace

bool configure_pools(std::size_t disk_threads, std::size_t cpu_threads) {
  std::lock_guard lock(sizes_mutex);
  if (sized_pools_started) return false;
  sizes.disk = std::max<std::size_t>(1, disk_threads);
  sizes.cpu = std::max<std::size_t>(1, cpu_threads);
  return true;
}

boost::asio::any_io_executor blocking_executor(pool_kind kind) { return pool(kind).get_executor(); }

void stop_blocking_pool() {
  for (auto kind : {pool_kind::general, pool_kind::disk, pool_kind::cpu}) pool(kind).join();
}

}  // namespace posta::net
