// Command-line options of the XMPP load generator (bench_xmpp_load).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace posta::bench::xmpp_load {

enum class run_mode { load, idle };

struct options {
  run_mode mode = run_mode::load;
  std::string host = "127.0.0.1";
  std::uint16_t port = 5222;
  std::string domain = "example.test";  // the stream's `to` and the JIDs' domain
  std::string user_format = "user%d";   // localpart, %d = 1..clients
  std::string password_format = "bench-%d-secret";
  std::string resource = "bench";
  std::size_t clients = 1000;          // idle mode: connections held open
  std::size_t messages = 100;          // per client, to its peer (load mode)
  std::size_t size = 100;              // bytes of each <body>
  std::size_t window = 1;              // messages a client has in flight to its peer
  std::size_t login_concurrency = 50;  // logins in progress at once
  bool starttls = true;                // false: --no-tls (the server must allow it)
  double settle_seconds = 2;           // idle mode: wait before reading the server's memory
  double timeout_seconds = 300;        // hard bound on the whole run
  int cpu_pid = 0;                     // server pid: CPU of its tree in the message phase
  int rss_pid = 0;                     // server pid: memory of its tree per idle connection
  bool json = false;
  bool self_test = false;
};

struct parse_outcome {
  std::optional<options> opts;
  int exit_code = 0;
};
parse_outcome parse_options(int argc, char** argv);

// A format with %d replaced by n.
std::string expand(std::string const& format, std::size_t n);

}  // namespace posta::bench::xmpp_load
