// One connection of the login load generator and the exchanges it runs:
// IMAP LOGIN + LOGOUT (RFC 9051 6.2.3, 6.1.3), SMTP EHLO + AUTH PLAIN + QUIT
// (RFC 4954, RFC 4616), LDAP simple bind and base search (RFC 4511). Each
// returns "" when the login succeeded, else what failed ("LOGIN NO", "io" …).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace posta::bench::login_load {

class client {
 public:
  client(boost::asio::any_io_executor ex, boost::asio::ip::tcp::endpoint server);

  // Connects (and with `tls`, handshakes); false on failure.
  boost::asio::awaitable<bool> open(boost::asio::ssl::context* tls);
  void close();
  // When the last login was answered with success (the latency a user feels).
  std::chrono::steady_clock::time_point logged_in_at() const { return logged_in_at_; }

  // A whole login on a new connection (open() first).
  // With `login` false, the same exchange without LOGIN / AUTH.
  boost::asio::awaitable<std::string> imap_login(std::string const& user, std::string const& password, bool login);
  boost::asio::awaitable<std::string> smtp_login(std::string const& user, std::string const& password, bool login);
  // One bind (plus a base search of `dn` when attributes are given) on this connection.
  boost::asio::awaitable<std::string> ldap_bind(std::string const& dn, std::string const& password,
                                                std::vector<std::string> const& attributes);

 private:
  boost::asio::awaitable<std::string> smtp_auth(std::string const& user, std::string const& password);
  boost::asio::awaitable<bool> write(std::string const& data);
  boost::asio::awaitable<bool> fill();
  boost::asio::awaitable<bool> read_line(std::string& line);
  // IMAP: reads to the tagged response of `tag`; its status word ("" on I/O failure).
  boost::asio::awaitable<std::string> tagged(std::string const& tag);
  // SMTP: reads a whole (multi-line) reply; its code (0 on failure).
  boost::asio::awaitable<int> reply();
  // LDAP: reads messages until one with `op` for `id`; its result code (-1 on failure).
  boost::asio::awaitable<int> ldap_answer(std::uint32_t id, unsigned char op);

  boost::asio::ip::tcp::socket socket_;
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_;
  boost::asio::ip::tcp::endpoint server_;
  std::string buf_;
  std::vector<char> rbuf_;
  std::uint32_t ldap_id_ = 0;
  std::chrono::steady_clock::time_point logged_in_at_{};
};

}  // namespace posta::bench::login_load
