// The values the mailbox store hands to IMAP and POP3 sessions. UIDs and
// sequence data are compact (parallel arrays) where a whole mailbox travels:
// a SELECT of 100,000 messages is one query and a few megabytes.
#pragma once

#include "core/blob/blob_store.hpp"
#include "mail/store/flags.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace posta::mail::store {

class parsed_body;  // mail/store/body_cache.hpp

using uid_t = std::uint32_t;  // RFC 3501 nz-number: 32 bits

// Inclusive ranges of UIDs; the store merges and sorts them. `*` and `$`
// are resolved by the session (against its snapshot) before they get here.
struct uid_range {
  uid_t first = 1;
  uid_t last = 1;
};
using uid_set = std::vector<uid_range>;

struct mailbox_ref {
  std::int64_t account_id = 0;
  std::int64_t mailbox_id = 0;
};

struct mailbox_info {
  std::int64_t id = 0;
  std::string name;                        // UTF-8, '/'-separated, "INBOX" canonical
  std::optional<std::string> special_use;  // RFC 6154 "\Sent", …
  bool subscribed = false;
  bool noselect = false;  // a name kept for its children after DELETE (RFC 3501 6.3.4)
  std::int64_t uidvalidity = 0;
  // With list(..., with_counts): messages and their RFC822.SIZE total.
  std::int64_t messages = 0;
  std::int64_t bytes = 0;
};

// RFC 3501 6.3.10 / RFC 9051 6.3.11 STATUS, RFC 7162 HIGHESTMODSEQ, RFC 8438 SIZE.
struct mailbox_status {
  std::int64_t id = 0;
  std::int64_t messages = 0;
  std::int64_t uidnext = 0;
  std::int64_t uidvalidity = 0;
  std::int64_t unseen = 0;
  std::int64_t deleted = 0;
  std::int64_t size = 0;
  std::int64_t highestmodseq = 0;
  std::int64_t recent = 0;  // RFC 3501 RECENT: UIDs no session has claimed yet
};

// RFC 9208: the account is the one quota root ("").
struct quota_info {
  std::int64_t storage_used_kib = 0;
  std::optional<std::int64_t> storage_limit_kib;  // none when unlimited
  std::int64_t messages_used = 0;
  std::optional<std::int64_t> messages_limit;
};

// Everything SELECT/EXAMINE needs, from one consistent database snapshot.
// Message i has uids[i] (ascending), modseqs[i] and flag_sets[flag_set[i]].
struct snapshot {
  std::int64_t mailbox_id = 0;
  std::int64_t uidvalidity = 0;
  std::int64_t uidnext = 0;
  std::int64_t highestmodseq = 0;
  std::int64_t recent_uid = 0;         // \Recent mark: UIDs above it are nobody's yet
  flag_list keywords;                  // for FLAGS and PERMANENTFLAGS (with \*)
  std::vector<uid_t> uids;
  std::vector<std::int64_t> modseqs;
  std::vector<std::uint32_t> flag_set;  // index into flag_sets
  std::vector<flag_list> flag_sets;     // the distinct flag lists, few in practice
};

struct message_flags {
  uid_t uid = 0;
  std::int64_t modseq = 0;
  flag_list flags;
};

// What changed after a MODSEQ (CONDSTORE CHANGEDSINCE, QRESYNC, and a
// session catching up after a notification), from one snapshot.
struct changes {
  std::int64_t uidnext = 0;
  std::int64_t highestmodseq = 0;
  std::int64_t uidvalidity = 0;
  std::int64_t recent_uid = 0;  // as in snapshot
  std::string name;             // the mailbox's name now (another session may have renamed it)
  flag_list keywords;
  std::vector<message_flags> changed;  // new or flag-changed messages with modseq > since, by UID
  std::vector<uid_t> expunged;         // UIDs expunged with modseq > since, ascending
  std::vector<std::int64_t> expunged_modseqs;  // the MODSEQ of each expunge, parallel to `expunged`
};

// The first messages of a mailbox with their sizes only (a POP3 maildrop):
// a few bytes per message, however large the mailbox.
struct message_sizes {
  struct entry {
    uid_t uid = 0;
    std::int64_t size = 0;  // RFC822.SIZE
  };
  std::vector<entry> messages;  // ascending UID
  std::int64_t total = 0;       // messages in the mailbox, the ones past the limit included
};

// One message's metadata for FETCH.
struct message_meta {
  uid_t uid = 0;
  std::int64_t modseq = 0;
  flag_list flags;
  std::int64_t internal_date = 0;  // seconds since the epoch, UTC
  std::int64_t size = 0;           // RFC822.SIZE: header_prefix + blob
  std::string header_prefix;       // Return-Path/Delivered-To of this copy, served before the blob
  std::string blob_hash;
  // The blob's parsed structure (offsets relative to the blob), shared from
  // the process's body cache; null when fetched without it.
  std::shared_ptr<parsed_body const> parsed;
};

// Result of STORE (RFC 3501 6.4.6, RFC 7162 3.1.3).
struct store_result {
  std::vector<message_flags> modified;  // messages whose flags changed, with their new MODSEQ
  std::vector<message_flags> unchanged;  // matched, flags already so (no new MODSEQ)
  std::vector<uid_t> failed;            // UNCHANGEDSINCE conflicts: [MODIFIED …]
  std::int64_t highestmodseq = 0;
};

struct expunge_result {
  std::vector<uid_t> uids;  // ascending
  std::int64_t modseq = 0;  // the MODSEQ the expunge took (0 when nothing was expunged)
};

// One message of an APPEND (MULTIAPPEND: several in one call).
struct append_item {
  // The blob as ingest() (mail/store/ingest.hpp) returns it: written,
  // fsynced when it is a file, parsed.
  blob::blob_ref blob;
  std::string structure_json;
  flag_list flags;                           // canonical (normalise_flags)
  std::optional<std::int64_t> internal_date;  // epoch seconds; now when absent
};

// UIDPLUS (RFC 4315) APPENDUID / COPYUID data.
struct append_result {
  std::int64_t uidvalidity = 0;
  std::vector<uid_t> uids;  // one per appended message, in order
};
struct copy_result {
  std::int64_t uidvalidity = 0;    // of the destination
  std::vector<uid_t> source_uids;  // ascending, only those that existed
  std::vector<uid_t> dest_uids;    // the same order
  expunge_result expunged;         // MOVE: what left the source
};

}  // namespace posta::mail::store
