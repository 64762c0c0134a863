// API address and token resolution for the CLI; the bootstrap file is TOML
// (toml++, whose parse errors are exceptions converted here at once).
#include "app/cli/endpoint.hpp"

#include "core/config/bootstrap.hpp"


#include <filesystem>
#include <fstream>
#include <sstream>

namespace posta::cli {

result<api_url> parse_api_url(std::string_view url) {
  bool const tls = url.starts_with("https://");
  std::string_view const scheme = tls ? "https://" : "http://";
  if (!url.starts_with(scheme))
    return make_error(errc::invalid_argument,
                      "API URL must start with http:// or https:// (got \"" + std::string(url) + "\")");
  std::string_view rest = url.substr(scheme.size());
  auto const slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  api_url out;
  out.base = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
  while (!out.base.empty() && out.base.back() == '/') out.base.pop_back();
  std::string_view host = authority, port = tls ? "443" : "80";
  if (authority.starts_with('[')) {
    auto const close = authority.find(']');
    if (close == std::string_view::npos) return make_error(errc::invalid_argument, "bad API URL: " + std::string(url));
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return make_error(errc::invalid_argument, "bad API URL: " + std::string(url));
      port = authority.substr(close + 2);
    }
  } else if (auto const colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty() || port.empty() || port.find_first_not_of("0123456789") != std::string_view::npos)
    return make_error(errc::invalid_argument, "bad API URL: " + std::string(url));
  out.host = std::string(host);
  out.port = std::string(port);
  out.tls = tls;
  out.text = std::string(url);
  while (out.text.size() > scheme.size() && out.text.back() == '/') out.text.pop_back();
  return out;
}

std::string url_for_listener(std::string_view listener, std::string_view scheme) {
  auto const colon = listener.rfind(':');
  std::string host(listener.substr(0, colon));
  std::string const port = colon != std::string_view::npos ? std::string(listener.substr(colon + 1))
                           : scheme == "https"            ? "8443"
                                                          : "8080";
  // A wildcard bind is reached through loopback from this machine.
  if (host.empty() || host == "0.0.0.0" || host == "*") host = "127.0.0.1";
  if (host == "[::]") host = "[::1]";
  return std::string(scheme) + "://" + host + ":" + port;
}

result<bootstrap_values> read_bootstrap_toml(std::string_view toml_text, std::string_view source) {
  auto const cfg = config::parse_bootstrap(toml_text, std::filesystem::path(source).parent_path());
  if (!cfg) return make_error(cfg.error().code, std::string(source) + ": " + cfg.error().context);
  bootstrap_values out;
  out.http_listener = cfg->listeners.at("http");
  out.https_listener = cfg->listeners.at("https");
  auto per = cfg->tls_per_protocol.find("https");
  out.https_cert = per != cfg->tls_per_protocol.end() ? per->second.cert : cfg->tls.cert;
  out.token = cfg->admin_token;
  // Without a token in the file, the server generated one next to its data.
  if (out.token.empty()) {
    std::ifstream generated(cfg->data_dir / "admin-token");
    std::getline(generated, out.token);
  }
  return out;
}

std::string config_path(endpoint_inputs const& in) {
  if (!in.flag_config.empty()) return in.flag_config;
  if (in.env_config && !in.env_config->empty()) return *in.env_config;
  return "./var/posta.toml";
}

namespace {

// The bootstrap values, defaults when the default file does not exist.
result<bootstrap_values> load_bootstrap(endpoint_inputs const& in) {
  auto const path = config_path(in);
  bool const is_explicit = !in.flag_config.empty() || (in.env_config && !in.env_config->empty());
  std::error_code ec;
  if (!is_explicit && !std::filesystem::exists(path, ec)) return bootstrap_values{};
  std::ifstream file(path);
  if (!file) return make_error(errc::not_found, "cannot read config file " + path);
  std::ostringstream text;
  text << file.rdbuf();
  return read_bootstrap_toml(text.str(), path);
}

std::string first_set(std::string const& flag, std::optional<std::string> const& env) {
  if (!flag.empty()) return flag;
  return env ? *env : std::string{};
}

}  // namespace

result<api_endpoint> resolve_endpoint(endpoint_inputs const& in) {
  api_endpoint out{first_set(in.flag_api, in.env_api), first_set(in.flag_token, in.env_token), std::nullopt};
  if (auto cacert = first_set(in.flag_cacert, in.env_cacert); !cacert.empty()) out.trusted_cert = cacert;
  bool const needs_cert = !out.trusted_cert && (out.url.empty() || out.url.starts_with("https://"));
  if (out.url.empty() || out.token.empty() || needs_cert) {
    auto const file = POSTA_TRY(load_bootstrap(in));
    if (out.url.empty() && !file.http_listener.empty()) out.url = url_for_listener(file.http_listener);
    if (out.url.empty() && !file.https_listener.empty()) out.url = url_for_listener(file.https_listener, "https");
    if (out.url.empty()) out.url = url_for_listener(bootstrap_values{}.http_listener);
    if (out.token.empty()) out.token = file.token;
    std::error_code ec;
    if (out.url.starts_with("https://") && !out.trusted_cert && !file.https_cert.empty() &&
        std::filesystem::exists(file.https_cert, ec))
      out.trusted_cert = file.https_cert;
  }
  if (out.token.empty())
    return make_error(errc::invalid_argument,
                      "no admin token: pass --token, set POSTA_TOKEN, or point --config at the bootstrap file");
  return out;
}

}  // namespace posta::cli
