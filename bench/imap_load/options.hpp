// Command-line options of the IMAP load generator (bench_imap_load).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace posta::bench::imap_load {

enum class run_mode { load, large };

struct options {
  run_mode mode = run_mode::load;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::size_t clients = 10;
  std::size_t commands = 5000;     // commands of the mix in all, across clients (0: until --duration)
  double duration_seconds = 0;     // stop taking commands after this long (0: only --commands)
  std::string user_format = "user%d@example.test";  // %d: 1..users
  std::string password_format = "bench-%d-secret";
  std::size_t users = 10;          // client i logs in as user (i % users) + 1
  std::string mailbox = "INBOX";
  std::string mix = "headers=4,body=3,flags=2,flags_all=1,store=4,search=3,append=1,noop=2";
  std::size_t header_range = 20;   // messages per header FETCH
  std::size_t flags_tail = 100;    // UID FETCH n:* (FLAGS) covers about this many
  std::size_t append_size = 10 * 1024;
  std::size_t expunge_every = 10;  // a client expunges its appended messages after this many
  std::size_t runs = 5;            // large mode: runs, the best is reported
  bool starttls = false;           // STARTTLS before LOGIN
  bool json = false;
  double timeout_seconds = 300;    // hard bound on the whole run
  std::uint64_t seed = 1;
  bool self_test = false;
  int cpu_pid = 0;                 // server process whose tree's CPU the measured phase used (0: none)
};

struct parse_outcome {
  std::optional<options> opts;
  int exit_code = 0;
};
parse_outcome parse_options(int argc, char** argv);

// user_format / password_format with %d replaced by n.
std::string expand(std::string const& format, std::size_t n);

}  // namespace posta::bench::imap_load
