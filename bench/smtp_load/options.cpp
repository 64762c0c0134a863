// Command-line options of the SMTP load generator, parsed with CLI11.
#include "bench/smtp_load/options.hpp"

#include <CLI/CLI.hpp>

namespace posta::bench::smtp_load {

namespace {

// Bounds that keep a mistyped option from turning the benchmark into a flood.
constexpr std::size_t max_connections = 10000;
constexpr std::size_t max_messages = 10'000'000;
constexpr std::size_t max_size = 512ull * 1024 * 1024;
constexpr std::size_t max_recipients = 1000;

void add_options(CLI::App& app, options& o) {
  app.add_option("--host", o.host, "server address (loopback only in this project)")->capture_default_str();
  app.add_option("--port", o.port, "SMTP port")->required();
  app.add_option("--connections", o.connections, "concurrent connections")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, max_connections));
  app.add_option("--messages", o.messages, "message transactions in all")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, max_messages));
  app.add_option("--size", o.size, "message size in bytes (headers + body)")
      ->capture_default_str()->check(CLI::Range(std::size_t{512}, max_size));
  app.add_option("--recipients", o.recipients, "recipients per message")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, max_recipients));
  app.add_option("--rcpt-domain", o.rcpt_domain, "domain of the recipients")->capture_default_str();
  app.add_option("--rcpt-count", o.rcpt_count, "recipients are user1..userN, taken round robin")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  app.add_option("--from", o.from, "envelope sender")->capture_default_str();
  app.add_option("--helo", o.helo, "EHLO name")->capture_default_str();
  app.add_flag("--pipelining", o.pipelining, "send MAIL, RCPT and DATA together (RFC 2920)");
  app.add_flag("--json", o.json, "print the result as one JSON line");
  app.add_option("--timeout", o.timeout_seconds, "hard limit of the whole run, seconds")
      ->capture_default_str()->check(CLI::Range(0.1, 86400.0));
  app.add_option("--seed", o.seed, "seed of the body text")->capture_default_str();
}

}  // namespace

parse_outcome parse_options(int argc, char** argv) {
  CLI::App app{"SMTP load generator: K connections deliver M messages; reports rate and DATA latency"};
  options o;
  add_options(app, o);
  try {
    app.parse(argc, argv);
  } catch (CLI::ParseError const& e) {
    return {std::nullopt, app.exit(e)};
  }
  return {o, 0};
}

}  // namespace posta::bench::smtp_load
