// The shared thread pool behind run_blocking: see blocking.hpp.
#include "core/net/blocking.hpp"

#include <boost/asio/thread_pool.hpp>

#include <algorithm>
#include <thread>

namespace posta::net {
namespace {

boost::asio::thread_pool& pool() {
  // Two at least, so that one slow call (an LDAP bind to a dead server) does
  // not stall every other; four at most, to leave the cores to the io threads.
  static boost::asio::thread_pool instance(std::clamp(std::thread::hardware_concurrency(), 2u, 4u));
  return instance;
}

}  // namespace

boost::asio::any_io_executor blocking_executor() { return pool().get_executor(); }

void stop_blocking_pool() {
  pool().join();
}

}  // namespace posta::net
