// Where the CLI finds the admin API, its token and, for https, the
// certificate to trust: flags, then the environment (POSTA_API, POSTA_TOKEN,
// POSTA_CACERT), then the bootstrap TOML file ([listeners] http or https,
// [admin] token, the server certificate of [tls]).
#pragma once

#include "core/util/result.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace posta::cli {

struct api_url {
  std::string host;  // without brackets for IPv6
  std::string port;
  std::string base;  // path prefix, "" or "/posta" (no trailing '/')
  std::string text;  // as shown in messages: "http://127.0.0.1:8080"
  bool tls = false;  // https
  std::optional<std::filesystem::path> trusted_cert;  // https: trust this, else the system's store
};

// "http://host[:port][/base]" or "https://…" (ports 80 and 443 by default);
// other schemes are refused.
result<api_url> parse_api_url(std::string_view url);

// The URL that reaches a listener address: "0.0.0.0:8080" → "http://127.0.0.1:8080",
// "[::]:8080" → "http://[::1]:8080", ":8080" → "http://127.0.0.1:8080".
std::string url_for_listener(std::string_view listener, std::string_view scheme = "http");

struct bootstrap_values {
  std::string http_listener = "127.0.0.1:8080";    // "" when off
  std::string https_listener = "127.0.0.1:8443";   // "" when off
  std::filesystem::path https_cert;                // what the https listener presents
  std::string token;
};

// The bits of the bootstrap file the CLI needs; `source` names it in errors.
result<bootstrap_values> read_bootstrap_toml(std::string_view toml_text, std::string_view source);

struct endpoint_inputs {
  std::string flag_api, flag_token, flag_config, flag_cacert;
  std::optional<std::string> env_api, env_token, env_config, env_cacert;
};

struct api_endpoint {
  std::string url;
  std::string token;
  std::optional<std::filesystem::path> trusted_cert;  // for an https URL
};

// The config path `posta serve` and the client use: --config, $POSTA_CONFIG,
// else ./var/posta.toml.
std::string config_path(endpoint_inputs const& in);

// Flags win over the environment, which wins over the file. The file is read
// only when something is missing; a missing default file is not an error,
// a missing explicit one is. From the file the URL is the http listener's,
// else (http off) the https listener's; an https URL without --cacert trusts
// the certificate the file names for https (the server's own, often
// self-signed), else the system's store. Fails when no token is found.
result<api_endpoint> resolve_endpoint(endpoint_inputs const& in);

}  // namespace posta::cli
