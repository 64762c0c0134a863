// Command-line options of the login load generator, parsed with CLI11.
#include "bench/login_load/options.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <map>

namespace posta::bench::login_load {
namespace {

// Bounds that keep a mistyped option from turning the benchmark into a flood.
constexpr std::size_t max_connections = 4096;
constexpr std::size_t max_logins = 100'000'000;

void add_options(CLI::App& app, options& o) {
  std::map<std::string, protocol> const protocols{
      {"imap", protocol::imap}, {"smtp", protocol::smtp}, {"ldap", protocol::ldap}};
  app.add_option("--protocol", o.proto, "imap (LOGIN+LOGOUT), smtp (AUTH PLAIN+QUIT) or ldap (bind on kept connections)")
      ->transform(CLI::CheckedTransformer(protocols, CLI::ignore_case));
  app.add_option("--host", o.host, "server address (numeric)")->capture_default_str();
  app.add_option("--port", o.port, "server port");
  app.add_flag("--tls", o.tls, "ldap: TLS from the start (ldaps), the certificate is not checked");
  app.add_option("--connections", o.connections, "connections in parallel")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, max_connections));
  app.add_option("--logins", o.logins, "logins in all (0: bounded by --duration only)")
      ->capture_default_str()->check(CLI::Range(std::size_t{0}, max_logins));
  app.add_option("--duration", o.duration_seconds, "stop starting logins after this many seconds (0: off)")
      ->check(CLI::Range(0.0, 86400.0));
  app.add_option("--warmup", o.warmup, "logins before the measured phase")->check(CLI::Range(std::size_t{0}, max_logins));
  app.add_option("--user-format", o.user_format, "login name (ldap: bind DN); %d or %05d is 0..users-1")
      ->capture_default_str();
  app.add_option("--password-format", o.password_format, "password; %d as above")->capture_default_str();
  app.add_option("--users", o.users, "login i is user i mod users")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}));
  app.add_flag("--no-login", o.no_login, "imap, smtp: connect, greeting and LOGOUT/QUIT only (the connection's own cost)");
  app.add_option("--ldap-search", o.search_attributes, "ldap: after each bind, a base search for these attributes");
  app.add_flag("--json", o.json, "print the result as one JSON line");
  app.add_flag("--self-test", o.self_test, "run the LDAP reader's table tests and exit");
  app.add_option("--timeout", o.timeout_seconds, "hard limit of the whole run, seconds")
      ->capture_default_str()->check(CLI::Range(0.1, 86400.0));
  app.add_option("--cpu-pid", o.cpu_pids, "pid (repeatable): report the CPU its process tree used in the measured phase");
}

}  // namespace

std::string expand(std::string const& format, std::size_t n) {
  auto at = format.find('%');
  if (at == std::string::npos) return format;
  std::size_t end = at + 1, width = 0;
  bool zero = end < format.size() && format[end] == '0';
  while (end < format.size() && format[end] >= '0' && format[end] <= '9') width = width * 10 + (format[end++] - '0');
  if (end >= format.size() || format[end] != 'd') return format;
  auto digits = std::to_string(n);
  if (digits.size() < width) digits.insert(0, width - digits.size(), zero ? '0' : ' ');
  return format.substr(0, at) + digits + format.substr(end + 1);
}

parse_outcome parse_options(int argc, char** argv) {
  CLI::App app{"Login load generator: N parallel connections log in (IMAP, SMTP AUTH, or LDAP binds); "
               "reports logins/s and latency percentiles"};
  options o;
  add_options(app, o);
  try {
    app.parse(argc, argv);
  } catch (CLI::ParseError const& e) {
    return {std::nullopt, app.exit(e)};
  }
  if (o.self_test) return {o, 0};
  if (o.port == 0) {
    fmt::print(stderr, "--port is required\n");
    return {std::nullopt, 2};
  }
  if (o.logins == 0 && o.duration_seconds <= 0) {
    fmt::print(stderr, "give --logins or --duration (the run must be bounded)\n");
    return {std::nullopt, 2};
  }
  return {o, 0};
}

}  // namespace posta::bench::login_load
