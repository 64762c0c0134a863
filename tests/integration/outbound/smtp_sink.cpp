// The aiosmtpd sink process of the outbound tests.
#include "tests/integration/outbound/smtp_sink.hpp"

#include "core/util/process.hpp"
#include "tests/integration/support/test_support.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace posta::itest {
namespace {
namespace fs = std::filesystem;
}

std::uint16_t free_tcp_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

smtp_sink::smtp_sink(std::vector<std::string> args) {
  static int counter = 0;
  dir_ = fs::temp_directory_path() / ("posta-sink-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
  fs::create_directories(dir_);
  port_ = free_tcp_port();
  std::vector<std::string> argv{"/usr/bin/python3", std::string(POSTA_SOURCE_DIR) + "/tests/integration/outbound/smtp_sink.py",
                                dir_.string(), std::to_string(port_)};
  argv.insert(argv.end(), args.begin(), args.end());
  util::spawn_options o;
  o.output_path = (dir_ / "out").string();
  o.parent_death_signal = SIGTERM;
  auto pid = util::spawn(argv, o);
  if (!pid) throw std::runtime_error("smtp sink: " + pid.error().message());
  pid_ = *pid;
  for (int i = 0; i < 1000; ++i) {
    if (fs::exists(dir_ / "ready")) return;
    if (!util::is_process_alive(pid_)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto why = read_whole_file(dir_ / "out");
  stop();
  throw std::runtime_error("smtp sink did not start: " + why);
}

smtp_sink::~smtp_sink() { stop(); }

void smtp_sink::stop() { stop_child(pid_, dir_); }

int smtp_sink::received() const {
  int n = 0;
  while (fs::exists(dir_ / (std::to_string(n + 1) + ".json"))) ++n;
  return n;
}

std::string smtp_sink::message(int n) const { return read_whole_file(dir_ / (std::to_string(n) + ".eml")); }
std::string smtp_sink::envelope_json(int n) const { return read_whole_file(dir_ / (std::to_string(n) + ".json")); }

}  // namespace posta::itest
