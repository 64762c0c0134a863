// Small helpers shared by the C++ integration tests that start real peers
// (dnsmasq, the aiosmtpd sink): reading a peer's files, stopping a child by
// pid, and running one coroutine to its end with a bound.
#pragma once

#include "core/util/process.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace posta::itest {

inline std::string read_whole_file(std::filesystem::path const& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// SIGTERM, a bounded wait for the exit, then the child's folder goes.
inline void stop_child(pid_t& pid, std::filesystem::path const& dir) {
  if (pid > 0) {
    ::kill(pid, SIGTERM);
    (void)util::wait_exit_blocking(pid, std::chrono::seconds(10));
    pid = -1;
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

// Runs `aw` on `io` until it ends; throws after `limit`.
template <class T>
T run_until_done(boost::asio::io_context& io, boost::asio::awaitable<T> aw,
                 std::chrono::seconds limit = std::chrono::seconds(60)) {
  auto done = boost::asio::co_spawn(io, std::move(aw), boost::asio::use_future);
  io.restart();
  auto const end = std::chrono::steady_clock::now() + limit;
  while (done.wait_for(std::chrono::seconds(0)) != std::future_status::ready && std::chrono::steady_clock::now() < end)
    io.run_one_for(std::chrono::milliseconds(100));
  if (done.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
    throw std::runtime_error("test coroutine did not finish in time");
  return done.get();
}

}  // namespace posta::itest
