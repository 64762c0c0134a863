// dnsmasq started and stopped for one test.
#include "tests/integration/dns/dnsmasq.hpp"

#include "core/util/process.hpp"
#include "tests/integration/support/test_support.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>

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
namespace ip = boost::asio::ip;

void write_config(fs::path const& file, fs::path const& dir, std::uint16_t port,
                  std::vector<std::string> const& records) {
  std::ofstream out(file);
  out << "port=" << port << "\nlisten-address=127.0.0.1\nbind-interfaces\nno-resolv\nno-hosts\n"
      << "local=/example.test/\nlocal-ttl=300\n" << (util::is_root() ? "user=root\n" : "")
      << "pid-file=" << (dir / "pid").string() << "\nlog-facility=" << (dir / "log").string() << "\n";
  for (auto const& r : records) out << r << "\n";
}

}  // namespace

std::uint16_t free_dns_port() {
  boost::asio::io_context io;
  for (int attempt = 0; attempt < 50; ++attempt) {
    ip::udp::socket udp(io, ip::udp::endpoint(ip::make_address("127.0.0.1"), 0));
    auto port = udp.local_endpoint().port();
    boost::system::error_code ec;
    ip::tcp::acceptor tcp(io);
    tcp.open(ip::tcp::v4());
    tcp.bind(ip::tcp::endpoint(ip::make_address("127.0.0.1"), port), ec);
    if (!ec) return port;
  }
  throw std::runtime_error("no free port for dnsmasq");
}

dnsmasq::dnsmasq(std::vector<std::string> const& records) {
  dir_ = fs::temp_directory_path() / ("posta-dnsmasq-" + std::to_string(::getpid()) + "-" +
                                      std::to_string(reinterpret_cast<std::uintptr_t>(this)));
  fs::create_directories(dir_);
  port_ = free_dns_port();
  auto conf = dir_ / "dnsmasq.conf";
  write_config(conf, dir_, port_, records);
  util::spawn_options o;
  o.output_path = (dir_ / "out").string();
  o.parent_death_signal = SIGTERM;
  auto pid = util::spawn({"/usr/sbin/dnsmasq", "--keep-in-foreground", "--conf-file=" + conf.string()}, o);
  if (!pid) throw std::runtime_error("dnsmasq: " + pid.error().message());
  pid_ = *pid;
  // Ready once it logs its start: it binds its sockets before that.
  for (int i = 0; i < 500; ++i) {
    if (read_whole_file(dir_ / "log").find("started") != std::string::npos) return;
    if (!util::is_process_alive(pid_)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto why = read_whole_file(dir_ / "out") + read_whole_file(dir_ / "log");
  stop();  // the destructor does not run after a throwing constructor
  throw std::runtime_error("dnsmasq did not start: " + why);
}

dnsmasq::~dnsmasq() { stop(); }

void dnsmasq::stop() { stop_child(pid_, dir_); }

}  // namespace posta::itest
