// Typed IMAP commands: every command of IMAP4rev1 (RFC 3501 6) and IMAP4rev2
// (RFC 9051 6) with the extensions Posta offers (IDLE 2177, UIDPLUS 4315,
// MOVE 6851, NAMESPACE 2342, ID 2971, ENABLE 5161, SPECIAL-USE and
// CREATE-SPECIAL-USE 6154, LIST-EXTENDED 5258, LIST-STATUS 5819, CONDSTORE and
// QRESYNC 7162, QUOTA 9208, ESEARCH 4731, SEARCHRES 5182, SORT/THREAD 5256,
// ESORT 5267, WITHIN 5032, SASL-IR 4959, BINARY 3516, MULTIAPPEND 3502,
// COMPRESS 4978, UTF8=ACCEPT 6855).
#pragma once

#include "mail/imap/proto/date_time.hpp"
#include "mail/imap/proto/message_format.hpp"
#include "mail/imap/proto/search_key.hpp"
#include "mail/imap/proto/sequence_set.hpp"
#include "mail/imap/proto/sort.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace posta::mail::imap::proto {

// Mailbox names in commands are UTF-8: decoded from modified UTF-7 unless
// UTF8=ACCEPT is enabled, and "INBOX" in any case is spelled "INBOX".

// Commands without arguments.
enum class simple_verb { capability, noop, logout, starttls, check, close, unselect, expunge, idle, namespace_ };
struct simple_cmd {
  simple_verb verb = simple_verb::noop;
  friend bool operator==(simple_cmd const&, simple_cmd const&) = default;
};

struct authenticate_cmd {
  std::string mechanism;                        // upper case
  std::optional<std::string> initial_response;  // SASL-IR, still base64; "" for "="
  friend bool operator==(authenticate_cmd const&, authenticate_cmd const&) = default;
};
struct login_cmd {
  std::string user;
  std::string password;
  friend bool operator==(login_cmd const&, login_cmd const&) = default;
};
struct enable_cmd {
  std::vector<std::string> capabilities;  // upper case, e.g. "CONDSTORE", "UTF8=ACCEPT"
  friend bool operator==(enable_cmd const&, enable_cmd const&) = default;
};

struct qresync_params {  // RFC 7162 3.2.5
  std::uint32_t uidvalidity = 0;
  std::uint64_t modseq = 0;
  std::optional<sequence_set> known_uids;
  std::optional<std::pair<sequence_set, sequence_set>> seq_match;  // (sequence numbers, their UIDs)
  friend bool operator==(qresync_params const&, qresync_params const&) = default;
};
struct select_cmd {
  bool examine = false;
  std::string mailbox;
  bool condstore = false;
  std::optional<qresync_params> qresync;
  friend bool operator==(select_cmd const&, select_cmd const&) = default;
};

struct create_cmd {
  std::string mailbox;
  std::vector<std::string> special_use;  // USE (\Sent ...), as sent; the session checks them
  friend bool operator==(create_cmd const&, create_cmd const&) = default;
};
// Commands whose only argument is a mailbox.
enum class mailbox_verb { delete_, subscribe, unsubscribe, getquotaroot };
struct mailbox_cmd {
  mailbox_verb verb = mailbox_verb::delete_;
  std::string mailbox;
  friend bool operator==(mailbox_cmd const&, mailbox_cmd const&) = default;
};
struct rename_cmd {
  std::string from;
  std::string to;
  friend bool operator==(rename_cmd const&, rename_cmd const&) = default;
};

enum class status_item { messages, uidnext, uidvalidity, unseen, deleted, size, recent, highestmodseq, appendlimit };
struct status_cmd {
  std::string mailbox;
  std::vector<status_item> items;  // in the order asked
  friend bool operator==(status_cmd const&, status_cmd const&) = default;
};

struct list_cmd {
  bool lsub = false;
  // LIST-EXTENDED selection options (RFC 5258 3.1, RFC 6154 5)
  bool select_subscribed = false;
  bool select_remote = false;
  bool select_recursive_match = false;
  bool select_special_use = false;
  std::string reference;
  std::vector<std::string> patterns;  // one for the basic form
  // return options (RFC 5258 3.2, RFC 5819, RFC 6154)
  bool return_subscribed = false;
  bool return_children = false;
  bool return_special_use = false;
  std::optional<std::vector<status_item>> return_status;
  // Any selection or return option, or several patterns: the answer follows
  // LIST-EXTENDED rules (RFC 5258 3).
  bool is_extended() const noexcept {
    return select_subscribed || select_remote || select_recursive_match || select_special_use || return_subscribed ||
           return_children || return_special_use || return_status || patterns.size() > 1;
  }
  friend bool operator==(list_cmd const&, list_cmd const&) = default;
};

struct append_message {
  std::vector<std::string> flags;
  std::optional<date_time> internal_date;
  std::string data;  // empty when streamed
  // Streamed by the session (a large message, see command_reader): the
  // index of its bytes among the command's streamed literals.
  std::optional<std::size_t> streamed;
  bool binary = false;  // sent as literal8 ~{n} (RFC 3516 4.4)
  bool utf8 = false;    // sent as UTF8 (~{n}) under UTF8=ACCEPT (RFC 6855 4): UTF-8 headers
  friend bool operator==(append_message const&, append_message const&) = default;
};
struct append_cmd {
  std::string mailbox;
  std::vector<append_message> messages;  // several: MULTIAPPEND, all or none are stored
  friend bool operator==(append_cmd const&, append_cmd const&) = default;
};

struct uid_expunge_cmd {
  sequence_set uids;
  friend bool operator==(uid_expunge_cmd const&, uid_expunge_cmd const&) = default;
};

// SEARCH / SORT RETURN options (RFC 4731, RFC 5182, RFC 5267).
struct result_options {
  bool present = false;  // RETURN (...) was given: answer with ESEARCH
  bool min = false, max = false, all = false, count = false, save = false;
  friend bool operator==(result_options const&, result_options const&) = default;
};
struct search_cmd {
  bool uid = false;
  result_options ret;
  std::optional<std::string> charset;  // upper case
  search_key key;                      // the whole program: an AND of the keys sent
  friend bool operator==(search_cmd const&, search_cmd const&) = default;
};

struct sort_cmd {
  bool uid = false;
  result_options ret;                    // ESORT
  std::vector<sort_criterion> criteria;  // the program sort_messages() takes
  std::string charset;
  search_key key;
  friend bool operator==(sort_cmd const&, sort_cmd const&) = default;
};
enum class thread_algorithm { references, orderedsubject };
struct thread_cmd {
  bool uid = false;
  thread_algorithm algorithm = thread_algorithm::references;
  std::string charset;
  search_key key;
  friend bool operator==(thread_cmd const&, thread_cmd const&) = default;
};

enum class fetch_item {
  flags,
  internaldate,
  rfc822,
  rfc822_header,
  rfc822_size,
  rfc822_text,
  envelope,
  body,  // BODY without section: the non-extensible BODYSTRUCTURE
  bodystructure,
  uid,
  modseq,
  body_section,  // BODY[...] / BODY.PEEK[...]
  binary,        // BINARY[...] / BINARY.PEEK[...]
  binary_size,   // BINARY.SIZE[...]
};
struct fetch_partial {  // <offset.length>
  std::uint64_t offset = 0;
  std::uint64_t length = 0;  // non-zero
  friend bool operator==(fetch_partial const&, fetch_partial const&) = default;
};
struct fetch_att {
  fetch_item item = fetch_item::flags;
  bool peek = false;
  section_spec section;                    // body_section, binary, binary_size
  std::vector<std::string> header_fields;  // HEADER.FIELDS (...) (section.text == header), as sent
  bool header_fields_not = false;          // HEADER.FIELDS.NOT
  std::optional<fetch_partial> partial;
  friend bool operator==(fetch_att const&, fetch_att const&) = default;
};
struct fetch_cmd {
  bool uid = false;
  sequence_set set;
  std::vector<fetch_att> atts;  // macros (ALL, FAST, FULL) expanded
  std::optional<std::uint64_t> changed_since;
  bool vanished = false;  // UID FETCH ... (CHANGEDSINCE n VANISHED)
  friend bool operator==(fetch_cmd const&, fetch_cmd const&) = default;
};

enum class store_mode { replace, add, remove };
struct store_cmd {
  bool uid = false;
  sequence_set set;
  std::optional<std::uint64_t> unchanged_since;
  store_mode mode = store_mode::replace;
  bool silent = false;
  std::vector<std::string> flags;  // system flags spelled canonically ("\Seen"), keywords as sent
  friend bool operator==(store_cmd const&, store_cmd const&) = default;
};
struct copy_cmd {
  bool uid = false;
  bool move = false;
  sequence_set set;
  std::string mailbox;
  friend bool operator==(copy_cmd const&, copy_cmd const&) = default;
};

struct getquota_cmd {
  std::string root;
  friend bool operator==(getquota_cmd const&, getquota_cmd const&) = default;
};
struct setquota_cmd {
  std::string root;
  std::vector<std::pair<std::string, std::uint64_t>> limits;  // resource (upper case), limit
  friend bool operator==(setquota_cmd const&, setquota_cmd const&) = default;
};
struct id_cmd {
  std::vector<std::pair<std::string, std::optional<std::string>>> params;  // empty for NIL
  friend bool operator==(id_cmd const&, id_cmd const&) = default;
};
struct compress_cmd {
  std::string mechanism;  // upper case; only "DEFLATE" exists
  friend bool operator==(compress_cmd const&, compress_cmd const&) = default;
};

using command =
    std::variant<simple_cmd, authenticate_cmd, login_cmd, enable_cmd, select_cmd, create_cmd, mailbox_cmd, rename_cmd,
                 status_cmd, list_cmd, append_cmd, uid_expunge_cmd, search_cmd, sort_cmd, thread_cmd, fetch_cmd,
                 store_cmd, copy_cmd, getquota_cmd, setquota_cmd, id_cmd, compress_cmd>;

}  // namespace posta::mail::imap::proto
