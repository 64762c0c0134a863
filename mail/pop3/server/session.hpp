// One POP3 connection: reads lines, feeds the pure state machine
// (mail/pop3/proto), runs the operations it asks for (password checks, the
// maildrop lock and snapshot, message streaming, the expunge at QUIT) and
// writes the responses. Nothing about the protocol's grammar or sequencing is decided here.
#pragma once

#include "core/net/command_rate.hpp"
#include "core/net/line_reader.hpp"
#include "core/net/session_registry.hpp"
#include "core/net/stream.hpp"
#include "mail/pop3/proto/message_encoder.hpp"
#include "mail/pop3/proto/state_machine.hpp"
#include "mail/pop3/server/context.hpp"
#include "mail/pop3/server/maildrop_store.hpp"
#include "mail/pop3/store/maildrop_locks.hpp"

#include <optional>
#include <string>

namespace posta::mail::pop3::server {

class session {
 public:
  session(context& ctx, listener_kind kind, net::stream stream);

  asio::awaitable<void> run();

 private:
  // Pipelined responses and message text are written once this much has accumulated.
  static constexpr std::size_t flush_threshold = 64 * 1024;

  asio::awaitable<result<std::string_view>> read_command();
  // SECURITY: pop3.max_commands_per_second; false when the connection broke.
  asio::awaitable<bool> pace();
  // The lock goes before the last response is written: a client that
  // reconnects at once finds the maildrop free (RFC 1939 6 releases it in UPDATE).
  asio::awaitable<void> release_lock();
  asio::awaitable<void> say_goodbye();  // a timeout or shutdown: release, then ending_reply()
  void on_stop(bool force);
  proto::reply ending_reply() const;  // for a timeout or shutdown

  // Each returns false when the connection must end.
  asio::awaitable<bool> perform(proto::action a);
  asio::awaitable<bool> act(proto::send_reply a);
  asio::awaitable<bool> act(proto::start_tls a);
  asio::awaitable<bool> act(proto::send_continuation a);
  // Authentication and the maildrop (session_auth.cpp).
  asio::awaitable<bool> act(proto::check_password a);
  asio::awaitable<bool> act(proto::check_sasl_plain a);
  asio::awaitable<bool> act(proto::open_maildrop a);
  asio::awaitable<bool> open_locked_maildrop();
  // LIST and UIDL of the whole maildrop, in bounded pieces (session_listing.cpp).
  asio::awaitable<bool> act(proto::send_listing a);
  asio::awaitable<proto::login_verdict> verify(std::string user, std::string password);
  // RETR, TOP and QUIT (session_message.cpp).
  asio::awaitable<bool> act(proto::send_message a);
  asio::awaitable<bool> act(proto::commit_update a);
  asio::awaitable<bool> stream_message(message_location const& where, std::string first_chunk,
                                       proto::message_encoder& encoder);

  asio::awaitable<bool> send(std::string bytes, bool flush_now);
  asio::awaitable<bool> flush();

  context& ctx_;
  listener_kind kind_;
  net::stream stream_;
  net::line_reader reader_;
  proto::state_machine machine_;
  std::string client_ip_;
  std::string output_;            // responses held back while the client pipelines
  std::string authenticated_as_;  // account address after a successful login
  std::optional<inbox_snapshot> inbox_;
  std::optional<store::maildrop_locks::held> lock_;  // from login to the end of the session
  net::command_rate rate_;
  bool slowed_ = false;  // told the journal once that this session is slowed down
  std::chrono::steady_clock::duration idle_timeout_;
  bool idle_ = false;      // waiting for a command: shutdown may interrupt
  bool stopping_ = false;  // the server is stopping: goodbye before the next command
  net::session_registry::handle registration_;  // last: unregistered first
};

}  // namespace posta::mail::pop3::server
