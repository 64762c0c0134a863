// Where the CLI finds the admin API and its token: flags, then the
// environment (POSTA_API, POSTA_TOKEN), then the bootstrap TOML file
// ([listeners] http, [admin] token).
#pragma once

#include "core/util/result.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace posta::cli {

struct api_url {
  std::string host;  // without brackets for IPv6
  std::string port;
  std::string base;  // path prefix, "" or "/posta" (no trailing '/')
  std::string text;  // as shown in messages: "http://127.0.0.1:8080"
};

// "http://host[:port][/base]"; https and other schemes are refused.
result<api_url> parse_api_url(std::string_view url);

// The URL that reaches a listener address: "0.0.0.0:8080" → "http://127.0.0.1:8080",
// "[::]:8080" → "http://[::1]:8080", ":8080" → "http://127.0.0.1:8080".
std::string url_for_listener(std::string_view listener);

struct bootstrap_values {
  std::string http_listener = "127.0.0.1:8080";
  std::string token;
};

// The bits of the bootstrap file the CLI needs; `source` names it in errors.
result<bootstrap_values> read_bootstrap_toml(std::string_view toml_text, std::string_view source);

struct endpoint_inputs {
  std::string flag_api, flag_token, flag_config;
  std::optional<std::string> env_api, env_token, env_config;
};

struct api_endpoint {
  std::string url;
  std::string token;
};

// The config path `posta serve` and the client use: --config, $POSTA_CONFIG,
// else ./var/posta.toml.
std::string config_path(endpoint_inputs const& in);

// Flags win over the environment, which wins over the file. The file is read
// only when something is missing; a missing default file is not an error,
// a missing explicit one is. Fails when no token is found anywhere.
result<api_endpoint> resolve_endpoint(endpoint_inputs const& in);

}  // namespace posta::cli
