// Reading the bootstrap TOML with toml++. Unknown keys are refused so that a
// typo does not silently leave a listener on its default.
#include "core/config/bootstrap.hpp"

#include "core/net/listen_address.hpp"

#include <toml++/toml.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

namespace posta::config {
namespace fs = std::filesystem;

std::map<std::string, std::string> default_listeners() {
  return {{"smtp", "127.0.0.1:2525"},  {"submission", "127.0.0.1:2587"}, {"submissions", "127.0.0.1:2465"},
          {"imap", "127.0.0.1:1143"},  {"imaps", "127.0.0.1:1993"},      {"pop3", "127.0.0.1:1110"},
          {"pop3s", "127.0.0.1:1995"}, {"xmpp", "127.0.0.1:5222"},       {"xmpps", "127.0.0.1:5223"},
          {"s2s", "127.0.0.1:5269"},   {"http", "127.0.0.1:8080"},       {"https", "127.0.0.1:8443"}};
}

namespace {

error bad(std::string what) { return make_error(errc::invalid_argument, "config: " + what); }

result<void> check_keys(toml::table const& t, std::string const& section, std::set<std::string> const& allowed) {
  for (auto const& [key, value] : t) {
    if (!allowed.contains(std::string(key.str())))
      return bad("unknown key '" + std::string(key.str()) + "' in [" + section + "]");
  }
  return {};
}

result<std::string> listener_value(toml::node const& node, std::string const& name) {
  if (auto s = node.value<std::string>()) return *s == "0" ? std::string{} : *s;
  if (auto i = node.value<int64_t>(); i && *i == 0) return std::string{};
  if (auto b = node.value<bool>(); b && !*b) return std::string{};
  return bad("[listeners] " + name + " must be \"host:port\" or 0");
}

result<void> read_listeners(toml::table const* t, bootstrap& out) {
  out.listeners = default_listeners();
  if (!t) return {};
  for (auto const& [key, node] : *t) {
    std::string name(key.str());
    if (!out.listeners.contains(name)) return bad("unknown listener '" + name + "'");
    out.listeners[name] = POSTA_TRY(listener_value(node, name));
  }
  return {};
}

fs::path resolve(fs::path const& base, std::string const& p) {
  fs::path path(p);
  return path.is_absolute() ? path : base / path;
}

result<tls_files> read_tls_pair(toml::table const& t, std::string const& section, fs::path const& file_dir) {
  POSTA_TRY(check_keys(t, section, {"cert", "key"}));
  auto cert = t["cert"].value<std::string>();
  auto key = t["key"].value<std::string>();
  if (!cert || !key) return bad("[" + section + "] needs cert and key");
  return tls_files{resolve(file_dir, *cert), resolve(file_dir, *key)};
}

// [tls.domain."example.org"] tables: a certificate per SNI name.
result<void> read_tls_domains(toml::node const& node, fs::path const& file_dir, bootstrap& out) {
  auto const* domains = node.as_table();
  if (!domains) return bad("[tls.domain] must hold tables such as [tls.domain.\"example.org\"]");
  for (auto const& [name, sub] : *domains) {
    std::string domain(name.str());
    std::string const section = "tls.domain.\"" + domain + "\"";
    auto const* t = sub.as_table();
    if (!t || domain.empty()) return bad("[" + section + "] must be a table with cert and key");
    out.tls_per_domain[domain] = POSTA_TRY(read_tls_pair(*t, section, file_dir));
  }
  return {};
}

result<void> read_tls(toml::table const* t, fs::path const& file_dir, bootstrap& out) {
  out.tls = {out.data_dir / "tls" / "cert.pem", out.data_dir / "tls" / "key.pem"};
  if (!t) return {};
  for (auto const& [key, node] : *t) {
    std::string k(key.str());
    if (k == "cert" || k == "key") {
      auto v = node.value<std::string>();
      if (!v) return bad("[tls] " + k + " must be a path");
      (k == "cert" ? out.tls.cert : out.tls.key) = resolve(file_dir, *v);
    } else if (k == "domain") {
      POSTA_TRY(read_tls_domains(node, file_dir, out));
    } else if (auto sub = node.as_table(); sub && out.listeners.contains(k)) {
      out.tls_per_protocol[k] = POSTA_TRY(read_tls_pair(*sub, "tls." + k, file_dir));
    } else {
      return bad("unknown key '" + k + "' in [tls]");
    }
  }
  return {};
}

std::string system_hostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "localhost";
  return buf;
}

}  // namespace

result<bootstrap> parse_bootstrap(std::string_view text, fs::path const& file_dir) {
  toml::table root;
  try {  // toml++ reports syntax errors by exception: converted here, at once
    root = toml::parse(text);
  } catch (toml::parse_error const& e) {
    return bad(std::string(e.description()) + " at line " + std::to_string(e.source().begin.line));
  }
  POSTA_TRY(check_keys(root, "top level", {"server", "database", "listeners", "tls", "admin"}));
  bootstrap out;
  auto const* server = root["server"].as_table();
  if (server) POSTA_TRY(check_keys(*server, "server", {"data_dir", "hostname", "allow_remote_plain_http"}));
  auto data_dir = root["server"]["data_dir"].value<std::string>();
  if (!data_dir || data_dir->empty()) return bad("[server] data_dir is required");
  out.data_dir = fs::weakly_canonical(resolve(file_dir, *data_dir));
  out.hostname = root["server"]["hostname"].value_or(system_hostname());
  auto const& allow = root["server"]["allow_remote_plain_http"];
  if (allow && !allow.is_boolean()) return bad("[server] allow_remote_plain_http must be true or false");
  out.allow_remote_plain_http = allow.value_or(false);
  if (auto const* db = root["database"].as_table()) {
    POSTA_TRY(check_keys(*db, "database", {"url", "allow_fsync_off"}));
    if (auto url = (*db)["url"].value<std::string>(); url && !url->empty()) out.database_url = *url;
    out.allow_fsync_off = (*db)["allow_fsync_off"].value_or(false);
  }
  POSTA_TRY(read_listeners(root["listeners"].as_table(), out));
  POSTA_TRY(read_tls(root["tls"].as_table(), file_dir, out));
  if (auto const* admin = root["admin"].as_table()) {
    POSTA_TRY(check_keys(*admin, "admin", {"token"}));
    out.admin_token = (*admin)["token"].value_or(std::string{});
  }
  return out;
}

result<void> check_plain_http(bootstrap const& cfg) {
  if (cfg.allow_remote_plain_http) return {};
  auto it = cfg.listeners.find("http");
  if (it == cfg.listeners.end()) return {};
  auto at = net::parse_listen_address(it->second);
  if (!at) return bad("[listeners] http: " + at.error().context);
  auto const& ep = *at;
  if (!ep) return {};  // off
  if (net::is_loopback(ep->address())) return {};
  return bad("[listeners] http = \"" + it->second +
             "\" is beyond loopback: plain http would carry the admin token in clear; use the https listener, "
             "or set [server] allow_remote_plain_http = true");
}

result<bootstrap> load_bootstrap(fs::path const& file) {
  std::ifstream in(file);
  if (!in) return make_error(errc::not_found, "config file " + file.string());
  std::stringstream buf;
  buf << in.rdbuf();
  auto cfg = POSTA_TRY(parse_bootstrap(buf.str(), fs::absolute(file).parent_path()));
  POSTA_TRY(check_plain_http(cfg));
  return cfg;
}

}  // namespace posta::config
