// Command-line options of the XMPP load generator, parsed with CLI11.
#include "bench/xmpp_load/options.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <map>

namespace posta::bench::xmpp_load {
namespace {

// SECURITY: bounds that keep a mistyped option from turning the benchmark
// into a flood (20,000 connections, 10^6 messages per client, 1 MB bodies).
constexpr std::size_t max_clients = 20000;
constexpr std::size_t max_messages = 1'000'000;
constexpr std::size_t max_size = 1024 * 1024;

void add_options(CLI::App& app, options& o) {
  std::map<std::string, run_mode> const modes{{"load", run_mode::load}, {"idle", run_mode::idle}};
  app.add_option("--mode", o.mode, "load: logins then messages in pairs; idle: N authenticated idle connections")
      ->transform(CLI::CheckedTransformer(modes, CLI::ignore_case))
      ->capture_default_str();
  app.add_option("--host", o.host, "server address (numeric)")->capture_default_str();
  app.add_option("--port", o.port, "c2s port")->capture_default_str();
  app.add_option("--domain", o.domain, "XMPP host (stream 'to', JID domain)")->capture_default_str();
  app.add_option("--user-format", o.user_format, "localpart, %d = 1..clients")->capture_default_str();
  app.add_option("--password-format", o.password_format, "password, %d = 1..clients")->capture_default_str();
  app.add_option("--resource", o.resource, "resource asked for at bind")->capture_default_str();
  app.add_option("--clients", o.clients, "clients (idle mode: connections); client 2k and 2k+1 are peers")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, max_clients));
  app.add_option("--messages", o.messages, "messages each client sends to its peer")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, max_messages));
  app.add_option("--size", o.size, "bytes of each message body (at least 40)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{40}, max_size));
  app.add_option("--window", o.window, "messages a client may have in flight to its peer")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000}));
  app.add_option("--login-concurrency", o.login_concurrency, "logins in progress at once")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{5000}));
  app.add_flag("--starttls,!--no-tls", o.starttls, "STARTTLS before SASL (default; the certificate is not checked)");
  app.add_option("--settle", o.settle_seconds, "idle mode: seconds to wait before reading the server's memory")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 600.0));
  app.add_option("--timeout", o.timeout_seconds, "hard limit of the whole run, seconds")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 86400.0));
  app.add_option("--cpu-pid", o.cpu_pid, "server pid: CPU of its process tree during the message phase")
      ->check(CLI::Range(0, 1 << 30));
  app.add_option("--rss-pid", o.rss_pid, "server pid: memory growth of its process tree per idle connection")
      ->check(CLI::Range(0, 1 << 30));
  app.add_flag("--json", o.json, "print the result as one JSON line");
  app.add_flag("--self-test", o.self_test, "run the stream scanner's table tests and exit");
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
  CLI::App app{
      "XMPP c2s load generator: N clients log in (STARTTLS, SASL PLAIN, bind, presence) and exchange "
      "messages in pairs, or hold idle authenticated connections"};
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
  return {o, 0};
}

}  // namespace posta::bench::xmpp_load
