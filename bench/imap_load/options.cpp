// Command-line options of the IMAP load generator, parsed with CLI11.
#include "bench/imap_load/options.hpp"

#include <CLI/CLI.hpp>

#include <map>

namespace posta::bench::imap_load {
namespace {

// Bounds that keep a mistyped option from turning the benchmark into a flood.
constexpr std::size_t max_clients = 10000;
constexpr std::size_t max_commands = 100'000'000;
constexpr std::size_t max_append = 64ull * 1024 * 1024;

void add_options(CLI::App& app, options& o) {
  std::map<std::string, run_mode> const modes{{"load", run_mode::load}, {"large", run_mode::large}};
  app.add_option("--mode", o.mode, "load: the command mix; large: SELECT and UID FETCH 1:* (FLAGS) timings")
      ->transform(CLI::CheckedTransformer(modes, CLI::ignore_case))->capture_default_str();
  app.add_option("--host", o.host, "server address (numeric)")->capture_default_str();
  app.add_option("--port", o.port, "IMAP port");
  app.add_option("--clients", o.clients, "concurrent clients (load mode)")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, max_clients));
  app.add_option("--commands", o.commands, "commands of the mix in all (0: bounded by --duration only)")
      ->capture_default_str()->check(CLI::Range(std::size_t{0}, max_commands));
  app.add_option("--duration", o.duration_seconds, "stop starting commands after this many seconds (0: off)")
      ->capture_default_str()->check(CLI::Range(0.0, 86400.0));
  app.add_option("--user-format", o.user_format, "login name, %d = 1..users")->capture_default_str();
  app.add_option("--password-format", o.password_format, "password, %d = 1..users")->capture_default_str();
  app.add_option("--users", o.users, "client i logs in as user (i mod users)+1; large mode uses user 1")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  app.add_option("--mailbox", o.mailbox, "mailbox to SELECT")->capture_default_str();
  app.add_option("--mix", o.mix,
                 "weights: headers, body, flags (UID n:*), flags_all (1:*), store, search, append, noop")
      ->capture_default_str();
  app.add_option("--header-range", o.header_range, "messages per header FETCH")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{10000}));
  app.add_option("--flags-tail", o.flags_tail, "UID FETCH n:* (FLAGS) covers about this many messages")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}));
  app.add_option("--append-size", o.append_size, "bytes of an APPENDed message")
      ->capture_default_str()->check(CLI::Range(std::size_t{256}, max_append));
  app.add_option("--expunge-every", o.expunge_every, "expunge a client's appended messages after this many")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  app.add_option("--runs", o.runs, "large mode: runs (fresh connection each), best reported")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{100}));
  app.add_flag("--starttls", o.starttls, "STARTTLS before LOGIN (the server's certificate is not checked)");
  app.add_flag("--json", o.json, "print the result as one JSON line");
  app.add_option("--timeout", o.timeout_seconds, "hard limit of the whole run, seconds")
      ->capture_default_str()->check(CLI::Range(0.1, 86400.0));
  app.add_option("--seed", o.seed, "seed of the command order and the chosen messages")->capture_default_str();
  app.add_option("--cpu-pid", o.cpu_pid, "server pid: report the CPU its process tree used in the measured phase")
      ->check(CLI::Range(0, 1 << 30));
  app.add_flag("--self-test", o.self_test, "run the response reader's table tests and exit");
}

}  // namespace

std::string expand(std::string const& format, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] == '%' && i + 1 < format.size() && format[i + 1] == 'd') {
      out += std::to_string(n);
      ++i;
    } else {
      out += format[i];
    }
  }
  return out;
}

parse_outcome parse_options(int argc, char** argv) {
  CLI::App app{"IMAP load generator: N clients log in, SELECT, and run a fixed command mix; "
               "reports commands/s and latency per command type"};
  options o;
  add_options(app, o);
  try {
    app.parse(argc, argv);
  } catch (CLI::ParseError const& e) {
    return {std::nullopt, app.exit(e)};
  }
  if (!o.self_test && o.port == 0) {
    std::cerr << "--port is required\n";
    return {std::nullopt, 2};
  }
  if (o.mode == run_mode::load && o.commands == 0 && o.duration_seconds <= 0) {
    std::cerr << "give --commands or --duration (the run must be bounded)\n";
    return {std::nullopt, 2};
  }
  return {o, 0};
}

}  // namespace posta::bench::imap_load
