// TLS for every listener: a self-signed certificate when none is configured,
// the server context (TLS 1.2+ only, RFC 8996, RFC 7525 §3), and the text that
// Received headers carry about a session (RFC 8314 §4.3 suggests recording it).
#pragma once

#include "core/util/result.hpp"

#include <filesystem>
#include <memory>
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

}  // namespace posta::net
