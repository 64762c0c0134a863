// TLS for every listener: a self-signed certificate when none is configured,
// the server contexts (TLS 1.2+ only, RFC 8996, RFC 7525 §3) with a
// certificate per domain chosen by SNI (RFC 6066 §3), reloadable while
// running, a client context for the CLI, and the text that Received headers
// carry about a session (RFC 8314 §4.3 suggests recording it).
#pragma once

#include "core/util/result.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

struct ssl_st;  // OpenSSL's SSL

namespace boost::asio::ssl {
class context;
}

namespace posta::net {

// If the certificate or the key file is missing, writes a new EC P-256 key
// (mode 0600) and a self-signed X.509 v3 certificate for `hostname` (SAN:
// hostname and localhost, valid 10 years). Existing files are left alone.
// `hostname` must be a DNS name or an IP address.
result<void> ensure_self_signed_certificate(std::filesystem::path const& cert_path,
                                            std::filesystem::path const& key_path,
                                            std::string_view hostname);

// A server context from a PEM certificate chain and PEM private key.
result<std::shared_ptr<boost::asio::ssl::context>> make_server_tls_context(
    std::filesystem::path const& cert_path, std::filesystem::path const& key_path);

// "TLS1.3 TLS_AES_256_GCM_SHA384": protocol version and cipher of a session.
std::string describe_tls(ssl_st const* ssl);

struct certificate_files {
  std::filesystem::path cert;  // PEM chain, leaf first
  std::filesystem::path key;   // PEM private key
};

// Every certificate the server presents.
struct tls_files {
  certificate_files server;                                 // the default
  std::map<std::string, certificate_files> by_listener;    // [tls.<listener>]
  std::map<std::string, certificate_files> by_domain;      // [tls.domain."<name>"], lowercase names
};

// The server's TLS contexts, one generation at a time. A handshake whose SNI
// name (RFC 6066 §3) is a configured domain, or a subdomain of one
// ("mail.example.org" under "example.org"), gets that domain's certificate;
// any other name, or none, gets the listener's certificate, else the default.
// Thread-safe; not movable (the SNI callback of every context points here).
class tls_contexts {
 public:
  tls_contexts() = default;
  tls_contexts(tls_contexts const&) = delete;
  tls_contexts& operator=(tls_contexts const&) = delete;

  // Reads every certificate and key. All or nothing: on any error the
  // contexts in use stay, so a bad file on SIGHUP changes nothing.
  // Handshakes already under way finish with the generation they started on.
  result<void> load(tls_files const& files);

  // The context a new connection of `listener` starts its handshake with;
  // nullptr before the first successful load().
  std::shared_ptr<boost::asio::ssl::context> for_listener(std::string_view listener) const;

  // The context SNI selects for `server_name`; nullptr when none is configured.
  std::shared_ptr<boost::asio::ssl::context> for_server_name(std::string_view server_name) const;

 private:
  struct generation;
  static int on_server_name(ssl_st* ssl, int* alert, void* self);

  mutable std::mutex mutex_;
  std::shared_ptr<generation const> current_;
};

// A client context that verifies the server: against `trusted_cert` (a PEM
// file, e.g. the server's own self-signed certificate) when given, else the
// system's trust store.
result<std::shared_ptr<boost::asio::ssl::context>> make_client_tls_context(
    std::optional<std::filesystem::path> const& trusted_cert);

// A client context for opportunistic TLS (RFC 7435, SMTP STARTTLS to a
// server nobody asked us to verify): TLS 1.2+, any certificate taken. It
// protects against passive eavesdropping only; stream::start_client_tls
// with verify = false pairs with it.
result<std::shared_ptr<boost::asio::ssl::context>> make_opportunistic_client_tls_context();

// Before a client handshake: send `host` as SNI (when it is a name) and check
// that the server's certificate is for `host` (a DNS name or an IP address).
result<void> expect_server_name(ssl_st* ssl, std::string const& host);

}  // namespace posta::net
