// A small synchronous HTTP/1.1 client (RFC 9112) over TCP or TLS, for the
// command-line tool: one request per connection, one timeout over connect,
// handshake, write and read. Blocking: never call it on an io thread.
#pragma once

#include "core/util/result.hpp"

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace posta::http {

struct client_options {
  bool tls = false;  // https
  // https: the certificate (PEM) to trust, e.g. the server's self-signed one;
  // nullopt: the system's trust store. The name dialled is always checked.
  std::optional<std::filesystem::path> trusted_cert;
  std::chrono::milliseconds timeout{30'000};
  std::size_t max_body_bytes = 256 * 1024 * 1024;  // SECURITY: what a wrong server can make us hold
};

struct client_request {
  std::string method;
  std::string target;  // "/api/v1/…"
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> body;  // sent with Content-Length when set
};

struct client_reply {
  int status = 0;
  std::string body;
};

// An HTTP error status is a reply. The error is "could not talk to the
// server": its context is a short lowercase reason ("timed out",
// "connection refused", "certificate verify failed …").
result<client_reply> request_blocking(std::string const& host, std::string const& port,
                                      client_request const& req, client_options const& options);

}  // namespace posta::http
