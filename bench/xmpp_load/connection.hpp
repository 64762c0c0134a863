// One XMPP c2s client connection of the load generator (RFC 6120): stream
// header, STARTTLS (the certificate is not checked: a private server on
// loopback), SASL PLAIN (RFC 4616), stream restart, resource binding, the
// session request where a server still requires it, initial presence; then
// stanzas written and top-level elements read.
#pragma once

#include "bench/xmpp_load/scanner.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace posta::bench::xmpp_load {

struct credentials {
  std::string domain, user, password, resource;
};

class connection {
 public:
  connection(boost::asio::any_io_executor ex, boost::asio::ip::tcp::endpoint server);

  // Everything up to and including initial presence. Empty on success, else
  // what failed ("connect", "starttls", "auth not-authorized", "bind", …).
  // Pass references to named objects (g++ 12 and temporaries in coroutines).
  boost::asio::awaitable<std::string> login(credentials const& who, boost::asio::ssl::context* tls);
  // One write at a time: the sender and the reader (answering an iq) share it.
  boost::asio::awaitable<bool> write(std::string_view data);
  // The next top-level element (or the stream's end); `element` is its text.
  boost::asio::awaitable<scan_event> next(std::string& element);
  // Writes the stream close (RFC 6120 4.4); the socket is closed by whoever
  // reads the server's close (or on a write error).
  boost::asio::awaitable<void> finish();
  void close();

  std::string const& jid() const { return jid_; }

 private:
  boost::asio::awaitable<std::string> open_stream(credentials const& who, std::string& features);
  boost::asio::awaitable<std::string> starttls(boost::asio::ssl::context& tls);
  boost::asio::awaitable<std::string> authenticate(credentials const& who);
  boost::asio::awaitable<std::string> bind(credentials const& who, std::string const& features);
  boost::asio::awaitable<std::string> expect(std::string& element);

  boost::asio::ip::tcp::socket socket_;
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_;  // after STARTTLS
  boost::asio::ip::tcp::endpoint server_;
  stream_scanner scanner_;
  std::vector<char> rbuf_;
  std::string jid_;  // the bound full JID
  bool writing_ = false;
  boost::asio::steady_timer write_done_;  // cancelled when a write ends
};

}  // namespace posta::bench::xmpp_load
