// One SMTP connection: reads lines, feeds the pure state machine
// (mail/smtp/proto), runs the operations it asks for (policy lookups, SASL,
// message reception and storage) and writes the replies. Nothing about the
// protocol's grammar or sequencing is decided here.
#pragma once

#include "core/net/line_reader.hpp"
#include "core/net/session_registry.hpp"
#include "core/net/stream.hpp"
#include "core/net/transfer_deadline.hpp"
#include "core/util/memory_budget.hpp"
#include "mail/smtp/proto/session_budget.hpp"
#include "mail/mime/originator.hpp"
#include "mail/smtp/proto/crlf_normaliser.hpp"
#include "mail/smtp/proto/header_guard.hpp"
#include "mail/smtp/proto/state_machine.hpp"
#include "mail/smtp/server/context.hpp"

#include <map>
#include <optional>
#include <string>

namespace posta::blob { class writer; }
namespace posta::mail::delivery { struct report; struct rcpt_check; }

namespace posta::mail::smtp::server {

class session {
 public:
  session(context& ctx, listener_kind kind, net::stream stream);
  ~session();

  asio::awaitable<void> run();

 private:
  // The next command line, bounded by the command deadline and the
  // session's lifetime; the error when the session must end.
  asio::awaitable<result<std::string_view>> read_command();
  // Why the session ends before the next command (budget, shutdown), as the
  // 421 to send; nullopt to go on.
  std::optional<proto::reply> check_budget();
  proto::reply ending_reply() const;  // the 421 for a timeout, the lifetime or shutdown
  net::transfer_deadline transfer_deadline() const;
  asio::awaitable<result<std::string_view>> read_payload(net::transfer_deadline& deadline);
  void on_stop(bool force);

  // Each returns false when the connection must end.
  asio::awaitable<bool> perform(proto::action a);
  asio::awaitable<bool> act(proto::send_reply a);
  asio::awaitable<bool> act(proto::check_sender a);
  asio::awaitable<bool> act(proto::check_recipient a);
  asio::awaitable<bool> act(proto::receive_data a);
  asio::awaitable<bool> act(proto::receive_chunk a);
  asio::awaitable<bool> act(proto::store_message a);
  asio::awaitable<bool> act(proto::start_tls a);
  asio::awaitable<bool> act(proto::authenticate a);
  asio::awaitable<bool> act(proto::verify_address a);
  asio::awaitable<bool> act(proto::expand_list a);

  // Policy (session_policy.cpp).
  asio::awaitable<proto::reply> sender_policy(proto::mail_cmd const& mail);
  asio::awaitable<proto::reply> recipient_policy(proto::rcpt_cmd const& rcpt);
  asio::awaitable<std::optional<proto::reply>> role_policy(proto::address const& mbox, std::string const& address);
  bool may_relay() const;
  bool fits_declared_size(delivery::rcpt_check const& check) const;

  // SASL (session_auth.cpp): returns the reply that ends the exchange.
  asio::awaitable<proto::reply> sasl_plain(std::optional<std::string> initial);
  asio::awaitable<proto::reply> sasl_login(std::optional<std::string> initial);
  asio::awaitable<proto::reply> sasl_scram(std::optional<std::string> initial);
  asio::awaitable<std::optional<std::string>> challenge(std::string const& base64);
  proto::reply finish_login(bool ok, std::string const& address);

  // Message reception and storage (session_message.cpp).
  result<void> begin_message();
  void discard_body();
  void append_body(std::string_view data);
  asio::awaitable<void> flush_body();
  void take_content(std::string_view piece);
  std::optional<proto::reply> content_refusal() const;
  asio::awaitable<proto::reply> store(proto::envelope const& env);
  asio::awaitable<std::optional<proto::reply>> originator_refusal(std::optional<mime::originators> const& o,
                                                                  std::string const& why);
  std::string received_header(proto::envelope const& env) const;
  void log_message(proto::envelope const& env, proto::reply const& outcome, std::int64_t size) const;
  void log_if_refused(proto::envelope const& env, proto::action const& next, std::int64_t size);
  void log_undelivered(delivery::report const& r) const;

  std::string server_name() const;
  void log_refusal(std::string_view what, std::string const& address, proto::reply const& r) const;
  asio::awaitable<bool> send(proto::reply const& r, bool flush_now);
  asio::awaitable<bool> flush();

  context& ctx_;
  listener_kind kind_;
  net::stream stream_;
  net::line_reader reader_;
  proto::state_machine machine_;
  std::string client_ip_;
  std::string output_;              // replies held back while the client pipelines
  std::string authenticated_as_;    // account address after AUTH
  std::string message_id_;
  std::unique_ptr<blob::writer> body_;
  std::string body_buffer_;
  std::string message_text_;  // the whole message while it is small (see session_message.cpp)
  bool message_too_big_to_keep_ = false;
  bool body_failed_ = false;
  util::memory_budget::reservation message_memory_;  // what message_text_ holds of the global budget
  proto::session_budget budget_;
  std::chrono::steady_clock::duration command_timeout_;
  std::uint64_t min_data_rate_;
  bool idle_ = false;      // waiting for a command: shutdown may interrupt
  bool stopping_ = false;  // the server is stopping: 421 4.3.2 before the next command
  net::session_registry::handle registration_;  // last: unregistered first
  proto::header_guard header_guard_;
  std::optional<proto::crlf_normaliser> chunk_normaliser_;  // one for all BDAT chunks of a message
  bool bare_line_end_ = false;
  std::map<std::string, std::string> role_targets_;  // postmaster/abuse recipients -> mail.postmaster
};

}  // namespace posta::mail::smtp::server
