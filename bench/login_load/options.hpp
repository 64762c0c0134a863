// Command-line options of the login load generator (bench_login_load).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace posta::bench::login_load {

// imap: connect, LOGIN, LOGOUT; smtp: connect, EHLO, AUTH PLAIN, QUIT (a new
// connection per login, as mail clients do); ldap: a simple bind (and with
// --ldap-search a base search of the entry, what Posta does per login) on
// persistent connections, as Posta's bind pool does: the directory's own rate.
enum class protocol { imap, smtp, ldap };

struct options {
  protocol proto = protocol::imap;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  bool tls = false;                   // ldap: direct TLS (ldaps://), certificate not checked
  std::size_t connections = 16;       // in parallel
  std::size_t logins = 5000;          // in all (0: until --duration)
  double duration_seconds = 0;
  std::size_t warmup = 0;             // logins before the measured phase (not counted)
  std::string user_format = "u%05d@corp.test";  // %d or %0Nd: 0..users-1
  std::string password_format = "pw-u%05d";
  std::size_t users = 1000;           // login i is user i mod users
  bool no_login = false;              // imap, smtp: the same connection without the login (its baseline)
  std::vector<std::string> search_attributes;  // ldap: with these, a base search after each bind
  bool json = false;
  bool self_test = false;
  double timeout_seconds = 600;
  std::vector<int> cpu_pids;          // processes whose tree's CPU the measured phase used
};

struct parse_outcome {
  std::optional<options> opts;
  int exit_code = 0;
};
parse_outcome parse_options(int argc, char** argv);

// `format` with its first %d / %0Nd replaced by n.
std::string expand(std::string const& format, std::size_t n);

}  // namespace posta::bench::login_load
