// An OpenSSL BIO that reads and writes an Asio TCP socket directly, without
// a buffer of its own: TLS records go from the kernel to OpenSSL's record
// buffers, which SSL_MODE_RELEASE_BUFFERS frees while a connection is idle.
// (Asio's ssl::stream puts a BIO pair and two buffers of 17 KiB each between
// them, held for the whole life of every connection.)
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

struct bio_st;  // OpenSSL's BIO

namespace posta::net {

// The state the BIO works on; it must outlive the BIO. The socket must be in
// non-blocking mode (socket.non_blocking(true)): a read or write that would
// block sets the BIO's retry flag, and OpenSSL reports SSL_ERROR_WANT_READ or
// SSL_ERROR_WANT_WRITE. Writes use Asio's send, which never raises SIGPIPE,
// and a closed socket is an error (never another connection's descriptor).
struct socket_bio_state {
  boost::asio::ip::tcp::socket* socket = nullptr;
  boost::system::error_code last_error;  // of the last failed read or write, cleared by the caller
  bool eof = false;                      // the peer closed its side
};

// A new BIO over `state` (nullptr if OpenSSL is out of memory); SSL_set_bio
// hands it to an SSL, which frees it.
bio_st* new_socket_bio(socket_bio_state& state);

}  // namespace posta::net
