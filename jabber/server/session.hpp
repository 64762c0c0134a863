// One c2s connection (RFC 6120): the reader coroutine reads bytes, feeds the
// XML stream reader and handles each event (negotiation in session.cpp and
// session_sasl.cpp, stanzas in session_stanza.cpp); once a resource is bound
// a writer coroutine drains the session's outbox, which the router also
// fills from other sessions (STYLE.md "Sessions").
#pragma once

#include "core/auth/authenticator.hpp"
#include "core/net/command_rate.hpp"
#include "core/net/session_registry.hpp"
#include "core/net/stream.hpp"
#include "jabber/proto/blocking.hpp"
#include "jabber/proto/c2s_features.hpp"
#include "jabber/proto/sasl_elements.hpp"
#include "jabber/proto/stanza_error.hpp"
#include "jabber/proto/subscription.hpp"
#include "jabber/server/context.hpp"
#include "jabber/server/outbox.hpp"
#include "jabber/server/sm_state.hpp"
#include "jabber/xml/stream_reader.hpp"

#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <optional>
#include <set>
#include <string>

namespace gloox {
class JID;
}
namespace posta::jabber::store {
struct roster_change;
}

namespace posta::jabber::server {

class session {
 public:
  session(context& ctx, listener_kind kind, net::stream stream);
  ~session();

  asio::awaitable<void> run();

 private:
  enum class step { header, negotiating, bound };
  // A SCRAM exchange between <auth/> and the <response/> that ends it.
  struct scram_exchange {
    auth::scram_server server;
    auth::scram_client_first who;
    auth::scram_lookup lookup;
  };

  // Each returns false when the stream must end.
  asio::awaitable<bool> read_and_handle();
  asio::awaitable<result<std::vector<xml::stream_event>>> read_events(std::chrono::steady_clock::duration timeout);
  asio::awaitable<bool> handle(xml::stream_event& ev);
  asio::awaitable<bool> on_open(xml::stream_header const& h);
  asio::awaitable<bool> on_element(gloox::Tag& tag);
  asio::awaitable<bool> on_starttls();
  // SASL (session_sasl.cpp)
  asio::awaitable<bool> on_sasl(gloox::Tag& tag);
  asio::awaitable<bool> on_auth(gloox::Tag& tag);
  asio::awaitable<bool> sasl_plain(std::string response);
  asio::awaitable<bool> sasl_scram_start(auth::scram_hash hash, std::optional<std::string> response);
  asio::awaitable<bool> sasl_scram_finish(std::string response);
  asio::awaitable<bool> sasl_failed(proto::sasl_condition c);
  asio::awaitable<bool> sasl_succeeded(std::string const& address, std::string additional);
  // Stanzas (session_stanza.cpp)
  asio::awaitable<bool> on_negotiated_element(gloox::Tag& tag);
  asio::awaitable<bool> on_bind(gloox::Tag& iq);
  std::shared_ptr<outbox> make_outbox();
  // Binding and resumption both end here: the session table (and the
  // resource bound when `counted`), the writer, `reply` (the bind result or
  // <resumed/>) and the XEP-0092 query. False: the bound was reached.
  bool become_bound(std::string reply, bool counted);
  asio::awaitable<void> on_stanza(gloox::Tag& tag);
  asio::awaitable<void> on_iq(gloox::Tag& iq);
  asio::awaitable<void> on_other_iq(gloox::Tag& iq);
  void on_server_iq(gloox::Tag& iq);
  asio::awaitable<void> on_message(gloox::Tag& msg);
  asio::awaitable<void> store_offline(gloox::Tag& msg, std::string const& bare);
  asio::awaitable<void> deliver_offline();
  // Presence (session_presence.cpp)
  asio::awaitable<void> on_presence(gloox::Tag& presence);
  asio::awaitable<void> on_subscription(gloox::Tag& presence, proto::subscription_stanza what, std::string contact);
  asio::awaitable<bool> apply_subscription(proto::subscription_stanza what, std::string const& contact, bool push_own);
  asio::awaitable<void> broadcast_presence(std::string bytes, bool available, int priority);
  asio::awaitable<void> end_presence();
  asio::awaitable<void> note_online();  // this node's row of the resource (schema/021)
  asio::awaitable<void> note_offline();
  void directed_presence(gloox::Tag& presence, std::string const& to, bool available);
  void directed_presence_end(std::string const& target, std::string const& bytes);
  void reply_error(gloox::Tag const& stanza, proto::stanza_condition c, std::string text = {});
  // The roster (session_roster.cpp)
  bool is_roster_request(gloox::Tag const& iq) const;
  asio::awaitable<void> on_roster(gloox::Tag& iq);
  asio::awaitable<void> roster_get(gloox::Tag& iq, gloox::Tag& query);
  asio::awaitable<void> roster_set(gloox::Tag& iq, gloox::Tag& query);
  void push_roster(store::roster_change const& change);
  void push_roster_to(std::string const& account, store::roster_change const& change);
  void roster_failed(gloox::Tag const& iq, error const& e);
  // Administration and bounds (session_admin.cpp)
  bool register_for_admin(bool counted);  // false: xmpp.max_resources_per_account reached
  void unregister_for_admin();
  void ask_client_version();
  bool on_client_version(gloox::Tag const& iq);  // true: it was the answer to ask_client_version()
  asio::awaitable<void> pace_input(std::size_t stanzas);
  // Blocking (session_blocking.cpp, XEP-0191)
  enum class block_verdict { open, blocked_by_user, blocked_by_contact, unknown };
  using blocklist_ptr = std::shared_ptr<proto::blocklist const>;
  asio::awaitable<void> on_blocking(gloox::Tag& iq, gloox::Tag& payload);
  asio::awaitable<void> block_or_unblock(gloox::Tag& iq, gloox::Tag& payload);
  asio::awaitable<blocklist_ptr> blocklist_of(std::string const& account);  // nullptr: unreadable
  asio::awaitable<block_verdict> check_blocking(gloox::JID const& target);
  void refuse_blocked(gloox::Tag const& stanza, block_verdict v);
  asio::awaitable<void> presence_to_contact(std::string const& contact, std::string const& bytes,
                                            blocklist_ptr const& mine);
  asio::awaitable<bool> sees_presence_of(std::string const& contact, blocklist_ptr const& mine);
  static bool blocks_bare_jid(proto::blocklist const& list, std::string const& bare);  // its bare JID or domain
  asio::awaitable<void> presence_after_block(proto::block_action action, std::vector<std::string> const& jids);
  // Account data (session_account_data.cpp): XEP-0054, XEP-0049, XEP-0012.
  asio::awaitable<bool> on_account_iq(gloox::Tag& iq);  // false: not one of those
  asio::awaitable<void> on_vcard(gloox::Tag& iq, gloox::Tag& vcard, std::string const& owner);
  asio::awaitable<void> on_private_xml(gloox::Tag& iq, gloox::Tag& query);
  asio::awaitable<void> on_last_activity(gloox::Tag& iq, std::string const& contact);
  asio::awaitable<void> note_unavailable(std::string const& status);
  void push(std::string bytes);
  std::string login_for(std::string_view name) const;  // a bare username is of the stream's host

  // XEP-0198 stream management (session_sm.cpp)
  asio::awaitable<bool> on_sm(gloox::Tag& tag);
  void sm_enable(gloox::Tag& tag);
  bool sm_ack(proto::sm_count h);  // false: past what was sent
  proto::sm_count sent_count() const;
  void request_ack_if_quiet(std::chrono::steady_clock::time_point now);
  std::chrono::steady_clock::duration writer_idle_wait() const;  // until on_idle()
  asio::awaitable<bool> sm_resume(gloox::Tag& tag);
  void sm_resumed(std::string const& previd, handover_result r);
  handover_result hand_over(handover_request r);  // on this strand, for a new stream
  std::string prepare_output(stanza_queue& pieces);
  void update_held_bytes();
  bool can_park() const;
  asio::awaitable<void> park();
  bool wake_parked(proto::stream_condition c);
  void keep_pending();  // a stream error ends the writer: what waits is redelivered
  std::function<void(std::string)> spill_collector();
  asio::awaitable<void> finish_stream_management();
  // XEP-0280 message carbons (session_carbons.cpp)
  bool is_carbons_request(gloox::Tag const& iq) const;
  void on_carbons(gloox::Tag& iq);
  void send_carbons(gloox::Tag const& msg, std::string const& to_bare,
                    std::vector<std::shared_ptr<outbox>> const& delivered_to);
  // XEP-0352 client state indication (session_csi.cpp)
  bool on_csi(gloox::Tag& tag);
  bool hold_presence(std::string& piece);  // true: kept for later
  void flush_held();

  // Output. Before binding the reader writes itself; after, through the outbox.
  asio::awaitable<bool> send(std::string bytes);
  // `application`: an application-specific condition (RFC 6120 4.9.4).
  asio::awaitable<void> end_with(proto::stream_condition c, std::string_view why, std::string application = {});
  asio::awaitable<void> write_loop();
  void start_writer();
  void on_fault(proto::stream_condition c, std::string_view why);
  void on_stop(bool force);
  void on_idle();  // the writer had nothing to send for a ping interval
  proto::c2s_stream_state stream_state() const;
  std::chrono::steady_clock::duration read_timeout() const;

  context& ctx_;
  listener_kind kind_;
  net::stream stream_;
  xml::stream_reader reader_;
  std::string client_ip_;
  std::string stream_id_;
  std::string host_;  // the stream's `to`, a local domain
  step step_ = step::header;
  bool header_sent_ = false;
  bool require_tls_ = true;
  std::chrono::steady_clock::time_point negotiation_deadline_;
  bool restarted_ = false;  // a restart after STARTTLS or SASL: drop the rest of the read
  bool authenticated_ = false;
  bool session_ended_ = false;  // the stream error or close is written: read no more
  int sasl_failures_ = 0;
  bool plain_pending_ = false;  // PLAIN without an initial response: the <response/> carries it
  bool stopping_ = false;
  std::optional<scram_exchange> scram_;
  std::string mechanism_;  // of the last <auth/>, for the journal
  std::string account_;    // the bare JID (= the account address) after SASL
  std::string resource_;   // after binding
  std::string full_jid_;
  std::shared_ptr<outbox> outbox_;
  bool available_ = false;          // sent available presence (RFC 6121 4.2)
  std::set<std::string> directed_;  // JIDs sent directed available presence (4.6)
  std::string presence_token_;      // while available: names its xmpp_online_resources row
  // SECURITY: how many JIDs one session's directed presence is remembered for.
  static constexpr std::size_t max_directed_presences = 1000;
  bool writer_running_ = false;
  std::chrono::steady_clock::duration ping_interval_{};  // xmpp.ping_interval_seconds, read at binding
  std::chrono::steady_clock::time_point last_input_{};
  bool ping_outstanding_ = false;
  bool reader_waiting_ = false;
  std::optional<asio::steady_timer> writer_done_;
  std::optional<asio::steady_timer> fault_deadline_;  // a faulted writer that cannot finish is cut off
  std::optional<proto::stream_condition> fault_;
  std::string fault_why_;
  net::command_rate stanza_rate_;  // xmpp.max_stanzas_per_second, set at binding
  std::string version_query_id_;   // of the XEP-0092 query sent at binding
  sm_state sm_;
  csi_state csi_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for handlers that may outlive the session
  net::session_registry::handle registration_;                  // last: unregistered first
};

}  // namespace posta::jabber::server
