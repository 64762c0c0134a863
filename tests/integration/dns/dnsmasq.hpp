// A private dnsmasq (shared/PEERS.md) on a free loopback port, authoritative
// for example.test with the records a test gives, stopped by pid.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace posta::itest {

class dnsmasq {
 public:
  // `records`: dnsmasq config lines (mx-host=…, host-record=…, txt-record=…).
  explicit dnsmasq(std::vector<std::string> const& records);
  ~dnsmasq();
  dnsmasq(dnsmasq const&) = delete;
  dnsmasq& operator=(dnsmasq const&) = delete;

  std::uint16_t port() const { return port_; }
  std::string server() const { return "127.0.0.1:" + std::to_string(port_); }  // a dns.servers item

 private:
  void stop();
  std::filesystem::path dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

// A loopback port free for both UDP and TCP right now.
std::uint16_t free_dns_port();

}  // namespace posta::itest
