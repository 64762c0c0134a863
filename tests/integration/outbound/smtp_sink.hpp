// The aiosmtpd sink (smtp_sink.py) started on a free loopback port for one
// test, and what it received, read back from its folder.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace posta::itest {

class smtp_sink {
 public:
  // `args`: smtp_sink.py options ("--tls", cert, key, "--reject", prefix, reply…).
  explicit smtp_sink(std::vector<std::string> args = {});
  ~smtp_sink();
  smtp_sink(smtp_sink const&) = delete;
  smtp_sink& operator=(smtp_sink const&) = delete;

  std::uint16_t port() const { return port_; }
  std::filesystem::path const& dir() const { return dir_; }
  int received() const;                     // messages so far
  std::string message(int n) const;         // the bytes of message n (1-based)
  std::string envelope_json(int n) const;   // its envelope as JSON text

 private:
  void stop();
  std::filesystem::path dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

std::uint16_t free_tcp_port();

}  // namespace posta::itest
