// The connection stream of every text protocol session: a TCP socket that can
// be upgraded to TLS in place (STARTTLS: RFC 3207, RFC 2595, RFC 6120 §5; or
// implicit TLS: RFC 8314), with deadlines on every operation.
#pragma once

#include "core/util/result.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>

struct ssl_st;

namespace boost::asio::ssl {
class context;
}

namespace posta::net {

// All operations must run on the socket's executor (the connection's strand).
// One read and one write may be pending at once (a reader and a writer
// coroutine). Errors come back as values: net_errc::end_of_stream when the peer
// closed, net_errc::timeout when a deadline passed (the connection should then
// be closed: a timeout cancels whatever else is pending on it),
// net_errc::cancelled after cancel(), otherwise the system error.
class stream {
 public:
  using duration = std::chrono::steady_clock::duration;  // zero: no deadline

  explicit stream(boost::asio::ip::tcp::socket socket);
  stream(stream&&) noexcept;
  stream& operator=(stream&&) noexcept;
  ~stream();

  boost::asio::awaitable<result<std::size_t>> read_some(std::span<char> into, duration timeout);
  boost::asio::awaitable<result<void>> write(std::string_view bytes, duration timeout);
  // Until input is there (or the peer closed), without a buffer to read it
  // into: a session waiting here between requests holds none. read_some
  // after it normally returns at once; with TLS it may still wait, when what
  // came was only part of a record or no application data.
  boost::asio::awaitable<result<void>> wait_readable(duration timeout);

  // Server-side TLS handshake on the connection as it is (for implicit-TLS
  // ports right after accept, or after a STARTTLS reply). SECURITY: a failed
  // handshake closes the socket, so the session can never go on in
  // plaintext. SECURITY: before calling it after STARTTLS, the caller must
  // discard every byte it had buffered (line_reader::discard_buffered(), or
  // use line_reader::start_tls which does both): such bytes were sent in
  // plaintext, possibly injected by a man in the middle (CVE-2011-0411).
  boost::asio::awaitable<result<void>> start_tls(boost::asio::ssl::context& ctx, duration timeout);

  // Client-side TLS handshake (SMTP STARTTLS to another server, implicit TLS
  // to a relay). `server_name` goes out as SNI when it is a DNS name; with
  // `verify` the certificate must be valid for it (`ctx` must verify the
  // chain: make_client_tls_context). Without `verify` any certificate is
  // taken (opportunistic TLS, RFC 7435). SECURITY: a failed handshake closes
  // the socket, as on the server side, and bytes read before it must be
  // discarded by the caller.
  boost::asio::awaitable<result<void>> start_client_tls(boost::asio::ssl::context& ctx, std::string const& server_name,
                                                        bool verify, duration timeout);

  // Graceful end: TLS close_notify (bounded by timeout), then TCP FIN and close.
  boost::asio::awaitable<void> shutdown(duration timeout);
  void close();   // abrupt
  void cancel();  // pending operations end with net_errc::cancelled

  bool is_open() const;
  bool is_tls() const;  // a TLS handshake completed
  std::string tls_description() const;  // "TLS1.3 TLS_AES_256_GCM_SHA384", or "" in plaintext
  ssl_st* native_tls_handle() const;    // nullptr in plaintext; for channel binding, SNI
  boost::asio::ip::tcp::endpoint remote_endpoint() const;
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  boost::asio::any_io_executor get_executor() const;

 private:
  boost::asio::awaitable<result<void>> handshake(bool as_client, duration timeout);
  struct impl;
  std::shared_ptr<impl> impl_;  // shared so that a late timer callback can check liveness
};

}  // namespace posta::net
