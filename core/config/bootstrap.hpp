// The bootstrap configuration file (TOML): what must be known before the
// database is reachable. Everything else is a runtime setting in PostgreSQL.
#pragma once

#include "core/util/result.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace posta::config {

struct tls_files {
  std::filesystem::path cert;
  std::filesystem::path key;
};

struct bootstrap {
  std::filesystem::path data_dir;
  std::string hostname;
  std::optional<std::string> database_url;   // absent: embedded cluster under data_dir/pg
  // DURABILITY: start-up refuses a database running with fsync = off (a
  // committed 250 could vanish in a power cut) unless this says it is a test.
  bool allow_fsync_off = false;
  std::map<std::string, std::string> listeners;  // name -> "host:port"; "" = off
  tls_files tls;                              // defaults under data_dir/tls
  std::map<std::string, tls_files> tls_per_protocol;  // [tls.<listener>]
  std::map<std::string, tls_files> tls_per_domain;    // [tls.domain."<name>"]: chosen by SNI
  // SECURITY: the admin token and every API call travel in clear over plain
  // http, so its listener must be on loopback unless [server]
  // allow_remote_plain_http = true says otherwise (use https instead).
  bool allow_remote_plain_http = false;
  std::string admin_token;                    // empty: generated into data_dir/admin-token
};

// Listener names, in the order they are reported.
inline constexpr char const* listener_names[] = {"smtp",  "submission", "submissions", "imap",
                                                 "imaps", "pop3",       "pop3s",       "xmpp",
                                                 "xmpps", "s2s",        "http",
                                                 "https"};

// Development defaults of DESIGN.md (unprivileged ports on loopback).
std::map<std::string, std::string> default_listeners();

// Refuses a plain http listener beyond loopback unless it is allowed.
result<void> check_plain_http(bootstrap const& cfg);

result<bootstrap> parse_bootstrap(std::string_view toml_text, std::filesystem::path const& file_dir);
// parse_bootstrap() of the file, then check_plain_http(): what `posta serve` reads.
result<bootstrap> load_bootstrap(std::filesystem::path const& file);

}  // namespace posta::config
