// Command-line options of the SMTP load generator (bench_smtp_load).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace posta::bench::smtp_load {

struct options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::size_t connections = 50;
  std::size_t messages = 2000;       // message transactions in all, across connections
  std::size_t size = 10 * 1024;      // message size in bytes, before dot-stuffing
  std::size_t recipients = 1;        // RCPT TO per message
  std::string rcpt_domain = "example.test";
  std::size_t rcpt_count = 10;       // recipients are user1..userN of rcpt_domain
  std::string from = "bench@sender.test";
  std::string helo = "bench.sender.test";
  bool pipelining = false;           // RFC 2920: MAIL, RCPT… and DATA in one write
  bool json = false;
  double timeout_seconds = 300;      // hard bound on the whole run
  std::uint64_t seed = 1;            // body text is pseudo-random but reproducible
};

// Parses argv; on --help or an error prints to stdout/stderr and returns the
// exit code to use instead of options.
struct parse_outcome {
  std::optional<options> opts;
  int exit_code = 0;
};
parse_outcome parse_options(int argc, char** argv);

}  // namespace posta::bench::smtp_load
