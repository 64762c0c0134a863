// One HTTP/1.1 connection of the http or https listener (RFC 9112): reads requests
// with their limits, dispatches them to a router, keeps the connection alive.
#pragma once

#include "core/http/router.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <memory>

namespace boost::asio::ssl {
class context;
}

namespace posta::http {

// SECURITY: every bound of an HTTP connection; past one the peer gets the
// matching status (413, 431, 400) or, for time limits, the connection closes.
struct http_limits {
  std::size_t max_body_bytes = 1024 * 1024;   // 413 payload_too_large beyond
  std::size_t max_header_bytes = 8 * 1024;    // request line + fields; 431 beyond
  std::chrono::milliseconds idle_timeout{30'000};     // waiting for the next request
  std::chrono::milliseconds request_timeout{30'000};  // reading one request, writing its answer
  // After an error answer, unread input is drained for at most this long and
  // this much, so the peer reads the answer instead of a reset.
  std::chrono::milliseconds linger_timeout{2'000};
  std::size_t linger_bytes = 4 * 1024 * 1024;
};

// Serves requests until the peer closes, asks to close, breaks a limit or
// times out. Runs on the socket's executor (the listener gives it a strand).
// Never throws: handler exceptions become 500, I/O errors end the connection.
boost::asio::awaitable<void> serve_http_connection(boost::asio::ip::tcp::socket socket,
                                                   router const& routes, http_limits limits);

// The same over TLS (the https listener): the server handshake first, within
// limits.request_timeout, then requests as above; close_notify at the end.
boost::asio::awaitable<void> serve_https_connection(boost::asio::ip::tcp::socket socket,
                                                    std::shared_ptr<boost::asio::ssl::context> tls,
                                                    router const& routes, http_limits limits);

}  // namespace posta::http
