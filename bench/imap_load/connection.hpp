// One IMAP client connection of the load generator: connect and greeting,
// tagged commands (one at a time) with their untagged responses read
// through the response reader, APPEND with a literal (LITERAL+ when the
// server offers it, else waiting for the "+" continuation).
#pragma once

#include "bench/imap_load/reader.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace posta::bench::imap_load {

struct command_result {
  bool answered = false;   // the tagged response arrived (false: I/O error or not IMAP)
  std::string status;      // OK / NO / BAD of the tagged response
  std::string tagged_text;
  std::size_t bytes = 0;   // response bytes read for this command
  std::size_t fetches = 0; // untagged FETCH responses
  std::vector<std::uint32_t> search;  // numbers of untagged SEARCH responses (when asked)
  bool ok() const { return answered && status_is(status, "OK"); }
};

class connection {
 public:
  connection(boost::asio::any_io_executor ex, boost::asio::ip::tcp::endpoint server);

  // Connects and reads the greeting; false unless it is "* OK".
  boost::asio::awaitable<bool> open();
  // `line` without tag and CRLF. Pass views of named strings (g++ 12 and
  // temporaries in coroutine arguments).
  boost::asio::awaitable<command_result> command(std::string_view line, bool want_search = false);
  // APPEND of `message` to `mailbox` with `flags` (e.g. "(\\Seen)").
  boost::asio::awaitable<command_result> append(std::string_view mailbox, std::string_view flags,
                                                std::string_view message);
  // STARTTLS (RFC 9051 6.2.1) and the TLS handshake with `tls` (no
  // certificate check: a private server on loopback); false on any failure.
  boost::asio::awaitable<bool> starttls(boost::asio::ssl::context& tls);
  // LOGIN, then CAPABILITY (what the server offers once authenticated).
  boost::asio::awaitable<command_result> login(std::string_view user, std::string_view password);
  void close();

  boost::asio::ip::tcp::socket& socket() { return socket_; }
  bool has_capability(std::string_view name) const;
  std::uint32_t exists() const { return exists_; }

 private:
  boost::asio::awaitable<bool> write(std::string_view data);
  boost::asio::awaitable<read_status> next(response& r);
  boost::asio::awaitable<void> finish(std::string const& tag, bool want_search, command_result& out);
  void note_untagged(response const& r, bool want_search, command_result& out);
  std::string next_tag();

  boost::asio::ip::tcp::socket socket_;
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_;  // after STARTTLS
  boost::asio::ip::tcp::endpoint server_;
  response_reader reader_;
  std::vector<char> rbuf_;
  std::string capabilities_;  // " CAP1 CAP2 … " in upper case
  std::uint32_t exists_ = 0;
  std::uint64_t tag_counter_ = 0;
};

}  // namespace posta::bench::imap_load
