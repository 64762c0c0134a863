// A BIO over an Asio socket: see socket_bio.hpp.
#include "core/net/socket_bio.hpp"

#include <boost/asio/error.hpp>
#include <openssl/bio.h>

#include <cstdlib>

namespace posta::net {
namespace {
namespace asio = boost::asio;

socket_bio_state& state_of(BIO* b) {
  return *static_cast<socket_bio_state*>(BIO_get_data(b));
}

bool would_block(boost::system::error_code ec) {
  return ec == asio::error::would_block || ec == asio::error::try_again;
}

int bio_write(BIO* b, char const* data, int len) {
  BIO_clear_retry_flags(b);
  auto& s = state_of(b);
  boost::system::error_code ec;
  std::size_t const n = s.socket->write_some(asio::buffer(data, static_cast<std::size_t>(len)), ec);
  if (!ec) return static_cast<int>(n);
  if (would_block(ec))
    BIO_set_retry_write(b);
  else
    s.last_error = ec;
  return -1;
}

int bio_read(BIO* b, char* data, int len) {
  BIO_clear_retry_flags(b);
  auto& s = state_of(b);
  boost::system::error_code ec;
  std::size_t const n = s.socket->read_some(asio::buffer(data, static_cast<std::size_t>(len)), ec);
  if (!ec) return static_cast<int>(n);
  if (ec == asio::error::eof) {
    s.eof = true;
    return 0;
  }
  if (would_block(ec))
    BIO_set_retry_read(b);
  else
    s.last_error = ec;
  return -1;
}

long bio_ctrl(BIO* b, int cmd, long, void*) {
  switch (cmd) {
    case BIO_CTRL_FLUSH:  // every write went straight to the socket
      return 1;
    case BIO_CTRL_EOF:  // lets OpenSSL tell a truncated stream from an error
      return state_of(b).eof ? 1 : 0;
    default:
      return 0;
  }
}

int bio_create(BIO* b) {
  BIO_set_init(b, 1);
  return 1;
}

BIO_METHOD* socket_bio_method() {
  // Created once and never freed: a BIO may be in use until the process ends.
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "posta asio socket");
    if (m == nullptr || BIO_meth_set_write(m, bio_write) != 1 || BIO_meth_set_read(m, bio_read) != 1 ||
        BIO_meth_set_ctrl(m, bio_ctrl) != 1 || BIO_meth_set_create(m, bio_create) != 1)
      std::abort();  // out of memory at the first TLS connection
    return m;
  }();
  return method;
}

}  // namespace

bio_st* new_socket_bio(socket_bio_state& state) {
  BIO* b = BIO_new(socket_bio_method());
  if (b != nullptr) BIO_set_data(b, &state);
  return b;
}

}  // namespace posta::net
