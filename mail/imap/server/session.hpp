// One IMAP connection (RFC 3501, RFC 9051): reads bytes into the pure
// command reader (mail/imap/proto), answers each literal decision, parses
// each command, checks it against the state rules and runs it through one
// handler per command family (cmd_*.cpp). Grammar and formatting live in
// proto/; this class only moves bytes, keeps the session state and awaits
// the store.
#pragma once

#include "core/net/command_rate.hpp"
#include "core/net/session_registry.hpp"
#include "core/net/stream.hpp"
#include "mail/imap/proto/command.hpp"
#include "mail/imap/proto/command_reader.hpp"
#include "mail/imap/proto/command_rules.hpp"
#include "mail/imap/proto/literal_policy.hpp"
#include "mail/imap/proto/parse_options.hpp"
#include "mail/imap/server/account_sessions.hpp"
#include "mail/imap/server/append_streams.hpp"
#include "mail/imap/server/compression.hpp"
#include "mail/imap/server/context.hpp"
#include "mail/imap/server/meta_cache.hpp"
#include "mail/imap/server/selected_mailbox.hpp"
#include "mail/mime/proto/message_structure.hpp"
#include "mail/mime/proto/transfer_decoding.hpp"
#include "mail/store/types.hpp"
#include "mail/store/watcher.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <set>
#include <unordered_map>
#include <memory>
#include <optional>
#include <string>

namespace posta::auth { enum class login_outcome; }  // core/auth/authenticator.hpp

namespace posta::mail::mime {
struct search_text;
}

namespace posta::mail::imap::server {

class session {
 public:
  session(context& ctx, listener_kind kind, net::stream stream);
  ~session();

  asio::awaitable<void> run();

 private:
  // ---- I/O (session.cpp) ----
  // Reads more bytes into the reader; false when the connection must end
  // (end of stream, error, timeout: the BYE for a timeout is sent here).
  asio::awaitable<bool> fill();
  asio::awaitable<bool> flush();
  void send(std::string const& text);
  // The next event of the reader, reading as needed; nullopt at the end.
  asio::awaitable<std::optional<proto::reader_event>> next_event();
  // A raw line (AUTHENTICATE response, IDLE's DONE); nullopt at the end or
  // for a line too long.
  asio::awaitable<std::optional<std::string>> read_raw_line();
  asio::awaitable<bool> on_event(proto::reader_event& e);
  void on_literal(proto::reader_events::literal const& l);
  asio::awaitable<bool> on_command(proto::reader_events::command const& c);
  asio::awaitable<bool> dispatch(std::string const& tag, proto::command& cmd);
  void apply_limits();
  std::chrono::steady_clock::duration read_timeout() const;
  void on_stop(bool force);

  void ok(std::string const& tag, std::string_view text, std::string_view code = {});
  void no(std::string const& tag, std::string_view text, std::string_view code = {});
  void bad(std::string const& tag, std::string_view text, std::string_view code = {});

  // ---- capabilities (capabilities.cpp) ----
  std::string capabilities() const;
  bool may_login_in_plaintext() const;

  // ---- one handler per command (cmd_*.cpp); false ends the session ----
  asio::awaitable<bool> on(std::string const& tag, proto::simple_cmd& c);
  asio::awaitable<bool> on(std::string const& tag, proto::login_cmd& c);
  asio::awaitable<bool> on(std::string const& tag, proto::authenticate_cmd& c);
  asio::awaitable<bool> on(std::string const& tag, proto::enable_cmd& c);
  asio::awaitable<bool> on(std::string const& tag, proto::id_cmd& c);
  asio::awaitable<bool> on(std::string const& tag, proto::compress_cmd& c);
  asio::awaitable<bool> on(std::string const& tag, proto::select_cmd& c);
  asio::awaitable<bool> on(std::string const& tag, proto::create_cmd& c);
  asio::awaitable<bool> on(std::string const& tag, proto::mailbox_cmd& c);
  asio::awaitable<bool> on(std::string const& tag, proto::rename_cmd& c);
  asio::awaitable<bool> on(std::string const& tag, proto::status_cmd& c);
  asio::awaitable<bool> on(std::string const& tag, proto::list_cmd& c);
  asio::awaitable<bool> on(std::string const& tag, proto::append_cmd& c);
  asio::awaitable<bool> on(std::string const& tag, proto::uid_expunge_cmd& c);
  asio::awaitable<bool> on(std::string const& tag, proto::search_cmd& c);
  asio::awaitable<bool> on(std::string const& tag, proto::sort_cmd& c);
  asio::awaitable<bool> on(std::string const& tag, proto::thread_cmd& c);
  asio::awaitable<bool> on(std::string const& tag, proto::fetch_cmd& c);
  asio::awaitable<bool> on(std::string const& tag, proto::store_cmd& c);
  asio::awaitable<bool> on(std::string const& tag, proto::copy_cmd& c);
  asio::awaitable<bool> on(std::string const& tag, proto::getquota_cmd& c);
  asio::awaitable<bool> on(std::string const& tag, proto::setquota_cmd& c);

  // ---- selected state (cmd_select.cpp, cmd_idle.cpp) ----
  // The untagged responses for changes seen in the store, at a point where
  // RFC 3501 7 lets the server send them; false when the session must end.
  asio::awaitable<bool> announce_changes(bool allow_expunges);
  asio::awaitable<bool> idle(std::string const& tag);
  asio::awaitable<bool> on_selected_simple(std::string const& tag, proto::simple_verb verb);
  // Asks the store what changed since the view's MODSEQ and updates the view
  // (and notes a deleted mailbox in mailbox_deleted_).
  asio::awaitable<result<void>> refresh();
  // A change this session committed to `mailbox_id`, before it refreshes:
  // the node's shared reads must not answer it from before the change.
  void changed_here(std::int64_t mailbox_id);
  store::change_feed* shared_reads() const;
  // The untagged responses due now, as this client's version wants them.
  std::string announce_now(bool allow_expunges);
  // FLAGS as this session tells them (\Recent for IMAP4rev1 clients).
  std::string flags_text(std::uint32_t pos) const;
  // \Recent for the UIDs above `mark` up to `up_to` (RFC 3501 2.3.2).
  asio::awaitable<void> take_recent(std::uint32_t mark, std::uint32_t up_to);
  void deselect();
  asio::awaitable<bool> expunge_messages(std::string const& tag, std::optional<store::uid_set> only);
  void send_select_data(store::snapshot const& snap, bool read_only);
  void send_select_state(store::snapshot const& snap);  // UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ
  asio::awaitable<void> qresync_data(proto::qresync_params const& q);
  struct idle_state;
  asio::awaitable<void> idle_watch(idle_state& st);
  // The 0-based positions a sequence set names (UIDs or sequence numbers),
  // "$" resolved; nullopt (and a BAD sent) when the set is invalid.
  std::optional<std::vector<std::uint32_t>> resolve(std::string const& tag, proto::sequence_set const& set, bool uid);
  store::uid_set uid_set_of(std::vector<std::uint32_t> const& positions, bool skip_expunged = true) const;
  void store_failed(std::string const& tag, error const& e, std::string_view what);
  asio::awaitable<std::optional<std::int64_t>> mailbox_id_of(std::string const& tag, std::string const& name,
                                                             bool trycreate, std::string_view what,
                                                             std::string* canonical = nullptr);

  // ---- mailbox commands (cmd_mailbox.cpp, cmd_list.cpp) ----
  std::string status_items(store::mailbox_status const& st, std::vector<proto::status_item> const& items) const;
  std::string mailbox_name(std::string const& utf8) const;
  // IMAP4rev2 (RFC 9051 6.3.9.7): "* LIST (...) "/" name ("OLDNAME" (...))"
  // when the server stored `supplied` under another (normalised) name.
  // `always`: the LIST response even when the names agree (SELECT's).
  void send_oldname(std::string const& attributes, std::string const& canonical, std::string const& supplied,
                    bool always = false);
  // The LIST attributes of one mailbox (children, special use), for the
  // LIST response IMAP4rev2 wants in SELECT (RFC 9051 6.3.2).
  asio::awaitable<std::string> list_attributes_of(std::string const& name);
  // ---- SEARCH, SORT, THREAD (cmd_search.cpp, cmd_sort.cpp) ----
  struct search_hit {
    std::uint32_t pos = 0;
    store::message_meta meta;
    mime::message_structure const* ms = nullptr;  // meta.parsed's, when fetched with structure
  };
  // The messages (positions, ascending) matching `key`, with their metadata
  // and structure when `with_structure`; nullopt with a NO/BAD sent.
  asio::awaitable<std::optional<std::vector<search_hit>>> search_messages(std::string const& tag,
                                                                          proto::search_key const& key,
                                                                          bool with_structure);
  asio::awaitable<result<std::shared_ptr<mime::search_text const>>> search_text_of(store::message_meta const& meta,
                                                                                  bool with_body);
  bool charset_ok(std::string const& tag, std::optional<std::string> const& charset);
  asio::awaitable<void> ask_text_index(std::vector<proto::search_key const*> const& nodes,
                                       std::vector<std::uint32_t> const& positions,
                                       std::map<proto::search_key const*, std::set<std::uint32_t>>& indexed);

  // ---- FETCH (cmd_fetch.cpp) ----
  // Metadata of one batch of positions by UID: from metas_, the rest read
  // from the store at once. What metas_ cannot keep is held in `spill`,
  // which must outlive the map. Messages expunged meanwhile are absent.
  using meta_map = std::unordered_map<std::uint32_t, store::message_meta const*>;
  asio::awaitable<result<meta_map>> metas_of(std::vector<std::uint32_t> const& positions, bool with_structure,
                                             std::vector<store::message_meta>& spill);
  asio::awaitable<bool> fetch_messages(std::string const& tag, proto::fetch_cmd& c,
                                       std::vector<std::uint32_t> const& positions);
  asio::awaitable<result<void>> mark_seen(std::vector<std::uint32_t> const& positions, std::vector<bool>& flags_changed);
  asio::awaitable<result<void>> fetch_one(proto::fetch_cmd const& c, std::uint32_t pos, store::message_meta const& meta,
                                          bool flags_changed);
  asio::awaitable<result<void>> fetch_section(proto::fetch_att const& att, store::message_meta const& meta,
                                              mime::message_structure const* ms, std::string& line);
  asio::awaitable<result<void>> append_range(store::message_meta const& meta, std::uint64_t begin, std::uint64_t end,
                                             std::string& line);
  // BINARY[...] and BINARY.SIZE of the encoded bytes [begin, end) (fetch_binary.cpp).
  asio::awaitable<result<void>> fetch_binary(proto::fetch_att const& a, store::message_meta const& meta,
                                             mime::transfer_encoding encoding, std::uint64_t begin, std::uint64_t end,
                                             std::string& line);

  // ---- authentication (cmd_auth.cpp) ----
  asio::awaitable<bool> starttls(std::string const& tag);
  asio::awaitable<std::optional<std::string>> challenge(std::string const& base64);
  asio::awaitable<void> sasl_plain(std::string const& tag, std::optional<std::string> initial);
  asio::awaitable<void> sasl_scram(std::string const& tag, std::optional<std::string> initial);
  // Ends a successful login: the account's id and session slot, the state.
  // `account_id` comes from the password check: no second lookup per login.
  asio::awaitable<void> finish_login(std::string const& tag, std::string const& address, std::int64_t account_id);
  void refuse_login(std::string const& tag, auth::login_outcome why);

  context& ctx_;
  listener_kind kind_;
  net::stream stream_;
  proto::command_reader reader_;
  proto::literal_limits literal_limits_;
  append_streams append_streams_;  // the current APPEND's large messages (cmd_append.cpp)
  proto::parse_options parse_options_;
  proto::session_state state_ = proto::session_state::not_authenticated;
  std::string client_ip_;
  std::string output_;
  std::string read_buffer_;
  std::string user_;  // the account's address after login
  std::int64_t account_id_ = 0;
  account_sessions::slot account_slot_;
  net::command_rate rate_;
  bool condstore_ = false;  // ENABLE CONDSTORE, or a CONDSTORE-using command
  bool qresync_ = false;    // ENABLE QRESYNC
  bool rev2_ = false;       // ENABLE IMAP4rev2 (RFC 9051): no \Recent, ESEARCH, [CLOSED], UTF-8 names
  bool mailbox_deleted_ = false;  // the selected mailbox went: BYE (see refresh())
  bool fetch_expunged_ = false;   // this FETCH named a message expunged elsewhere
  bool idle_ = false;       // waiting for a command: shutdown may interrupt
  bool stopping_ = false;   // the server is stopping: BYE before the next command
  bool timed_out_ = false;
  std::unique_ptr<deflate_codec> deflate_;  // COMPRESS=DEFLATE active
  // The selected mailbox (RFC 3501 state "selected").
  std::optional<selected_mailbox> selected_;
  meta_cache metas_;  // of the selected mailbox
  store::mailbox_ref box_;
  std::string box_name_;
  bool read_only_ = false;
  store::mailbox_watcher::watch watch_;
  bool watching_ = false;  // watch_ holds a watch
  std::vector<std::uint32_t> saved_uids_;  // SEARCHRES "$" (RFC 5182), as UIDs
  net::session_registry::handle registration_;  // last: unregistered first
};

}  // namespace posta::mail::imap::server
