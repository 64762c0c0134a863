// One outbound SMTP connection, as a coroutine: connect to each address in
// turn, greeting, EHLO (HELO when EHLO is refused), STARTTLS by policy,
// AUTH PLAIN for a relay, then any number of transactions on the same
// connection, then QUIT. RFC 5321 3.1-3.3, 4.5.3.2 (timeouts), 5.1 (trying
// addresses in turn); RFC 3207 (STARTTLS), RFC 4954 (AUTH), RFC 2920.
// Every read and write has a deadline; failures come back as replies
// (error_map.hpp) that decide the recipients.
#pragma once

#include "core/net/stream.hpp"
#include "mail/smtp/client/body_source.hpp"
#include "mail/smtp/client/options.hpp"
#include "mail/smtp/client/proto/ehlo.hpp"
#include "mail/smtp/client/proto/reply_parser.hpp"
#include "mail/smtp/client/proto/transaction.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <memory>
#include <vector>

namespace posta::mail::smtp::client {

struct outbound_message {
  smtp::proto::path sender;
  smtp::proto::mail_params params;  // SIZE is set from the body; SMTPUTF8 when the message needs it
  std::vector<proto::envelope_recipient> recipients;
  body_source* body = nullptr;      // must outlive send()
};

struct recipient_result {
  smtp::proto::reply reply;  // the server's, or a local one (error_map.hpp)
  bool delivered = false;
};

class connection {
 public:
  // The first address that greets and completes EHLO (and TLS and AUTH as
  // the options ask) gives the connection; otherwise the reply of the last
  // failure (a 4xx/5xx greeting or EHLO, or a local 4xx).
  // Runs on the calling coroutine's executor, which must be a strand (or a
  // one-threaded io_context): the connection has no locks.
  static asio::awaitable<smtp::proto::reply_or<std::unique_ptr<connection>>> open(
      std::vector<boost::asio::ip::tcp::endpoint> addresses, client_options options);

  // One transaction; a result per recipient, in order. The connection may
  // be used for another message while is_usable().
  asio::awaitable<std::vector<recipient_result>> send(outbound_message const& message);

  // QUIT (bounded), then close.
  asio::awaitable<void> quit();

  bool is_usable() const noexcept { return usable_; }
  proto::capabilities const& peer() const noexcept { return peer_; }
  bool is_tls() const { return stream_.is_tls(); }
  boost::asio::ip::tcp::endpoint remote_endpoint() const { return stream_.remote_endpoint(); }

  connection(net::stream s, client_options options);

 private:
  using reply = smtp::proto::reply;
  using duration = client_options::duration;

  asio::awaitable<result<reply>> read_reply(duration timeout);
  asio::awaitable<result<void>> write(std::string_view bytes, duration timeout);
  // The reply, or a local one when the connection failed (then !usable_).
  asio::awaitable<reply> command(std::string_view line, duration timeout);
  asio::awaitable<std::optional<reply>> start();
  asio::awaitable<std::optional<reply>> hello();
  asio::awaitable<std::optional<reply>> start_tls();
  asio::awaitable<std::optional<reply>> authenticate();

  // send() in parts (transfer.cpp).
  struct prepared;
  asio::awaitable<smtp::proto::reply_or<prepared>> prepare(outbound_message const& message);
  asio::awaitable<void> run(proto::transaction& t, prepared& p);
  asio::awaitable<std::optional<reply>> send_data(prepared& p);
  asio::awaitable<std::optional<reply>> send_chunks(proto::transaction& t, prepared& p);

  net::stream stream_;
  client_options options_;
  proto::reply_parser parser_;
  proto::capabilities peer_;
  bool usable_ = true;
  bool needs_rset_ = false;
  bool tls_failed_ = false;  // the STARTTLS handshake failed
};

}  // namespace posta::mail::smtp::client
