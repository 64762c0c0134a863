// The mailbox store that IMAP and POP3 sessions call: mailboxes of an account
// (RFC 3501 6.3), messages of a mailbox (SELECT snapshots, CONDSTORE/QRESYNC
// changes, FETCH metadata and byte ranges, STORE, EXPUNGE, APPEND, COPY,
// MOVE), quota (RFC 9208). PostgreSQL through core/db, bodies through
// core/blob. Every operation is awaitable and bounded by the pool's
// statement and transaction bounds; errors are store_errc decisions or
// posta errc trouble (errc::unavailable and others: temporary).
//
// Locking (the order delivery uses, so no two writers deadlock): mailbox
// rows in id order (FOR UPDATE) first, then blob rows in hash order
// (blob::store::pin when references are added, FOR UPDATE before deletes),
// then account rows (by the usage triggers).
// Every change sends NOTIFY posta_mailbox <mailbox id> in its transaction.
#pragma once

#include "core/blob/blob_store.hpp"
#include "core/db/pool.hpp"
#include "mail/store/errors.hpp"
#include "mail/store/names.hpp"
#include "mail/store/types.hpp"

#include <atomic>
#include <memory>

namespace posta::mail::store {

class body_cache;      // mail/store/body_cache.hpp
class snapshot_cache;  // mail/store/snapshot_cache.hpp

struct store_limits {
  name_limits names;
  flag_limits flags;
  // SECURITY: mailboxes per account (CREATE past it is [LIMIT]), and
  // messages one APPEND/COPY/MOVE may carry at once.
  std::size_t max_mailboxes = 10000;
  std::size_t max_messages_per_operation = 100000;
  // SECURITY: SELECT snapshots the node keeps of its large mailboxes
  // (mail/store/snapshot_cache.hpp): messages in all, and the size of the
  // smallest mailbox worth keeping.
  std::size_t kept_snapshot_messages = 2'000'000;
  std::size_t kept_snapshot_min_messages = 2000;
};

class mailbox_store {
 public:
  mailbox_store(db::pool& pool, blob::store const& blobs, store_limits limits = {});
  ~mailbox_store();

  // mail.quota_grace_percent, as the committer applies it on delivery.
  void set_quota_grace_percent(std::int64_t percent) noexcept { quota_grace_percent_.store(percent); }
  // mail.message_cache_mb: parsed structures and headers kept in memory.
  void set_cache_bytes(std::size_t bytes);
  body_cache const& cache() const noexcept { return *cache_; }

  // ---- mailboxes (mail/store/mailboxes.cpp) -------------------------------
  // Every mailbox of the account (\Noselect names included), by name, with
  // `subscribed` set; with_counts adds messages and bytes (one grouped scan).
  // Subscribed names without a mailbox are in subscriptions().
  asio::awaitable<result<std::vector<mailbox_info>>> list(std::int64_t account_id, bool with_counts = false);
  asio::awaitable<result<std::vector<std::string>>> subscriptions(std::int64_t account_id);
  // One mailbox by name (normalised here); nonexistent when absent.
  asio::awaitable<result<mailbox_info>> find(std::int64_t account_id, std::string name);
  // CREATE (RFC 3501 6.3.3, RFC 6154 CREATE-SPECIAL-USE): superiors that do
  // not exist are created too; a \Noselect name becomes selectable again
  // (with a new UIDVALIDITY). already_exists, invalid_name, limit.
  asio::awaitable<result<mailbox_info>> create(std::int64_t account_id, std::string name,
                                               std::optional<std::string> special_use = std::nullopt);
  // DELETE (RFC 3501 6.3.4): cannot for INBOX and for a \Noselect name with
  // children; a mailbox with children loses its messages and becomes
  // \Noselect; otherwise it is removed with its messages (expunged: blob
  // references returned).
  asio::awaitable<result<void>> remove(std::int64_t account_id, std::string name);
  // RENAME (RFC 3501 6.3.5): children follow, missing superiors of the new
  // name are created, subscriptions follow; UIDVALIDITY is kept (the same
  // mailbox, the same UIDs). INBOX: its messages move to a new mailbox of the
  // new name (new UIDVALIDITY), INBOX stays, empty, and its children stay.
  asio::awaitable<result<mailbox_info>> rename(std::int64_t account_id, std::string from, std::string to);
  // SUBSCRIBE / UNSUBSCRIBE (RFC 3501 6.3.6/6.3.7): any valid name.
  asio::awaitable<result<void>> subscribe(std::int64_t account_id, std::string name);
  asio::awaitable<result<void>> unsubscribe(std::int64_t account_id, std::string name);

  // ---- status and quota (mail/store/status.cpp) ---------------------------
  asio::awaitable<result<mailbox_status>> status(mailbox_ref box);
  asio::awaitable<result<quota_info>> quota(std::int64_t account_id);

  // ---- reading (mail/store/snapshot.cpp, fetch.cpp) -----------------------
  // SELECT/EXAMINE: nonexistent for a missing or \Noselect mailbox.
  asio::awaitable<result<snapshot>> select(mailbox_ref box);
  // \Recent (RFC 3501 2.3.2), decided here so that it holds across nodes:
  // claims the UIDs up to `up_to` that no session has claimed. Returns the
  // mark before (this session's \Recent UIDs are those above it, up to
  // `up_to`), or nullopt when another session had claimed them all.
  // (mail/store/recent.cpp)
  asio::awaitable<result<std::optional<uid_t>>> claim_recent(mailbox_ref box, uid_t up_to);
  // Messages changed or added and UIDs expunged after `since` (a MODSEQ),
  // with the mailbox's state, read in one snapshot.
  asio::awaitable<result<changes>> changes_since(mailbox_ref box, std::int64_t since);
  // Metadata of the messages of `uids` that exist, by UID.
  asio::awaitable<result<std::vector<message_meta>>> fetch(mailbox_ref box, uid_set uids, bool with_structure = true);
  // The `limit` oldest messages (lowest UIDs) with their sizes, in one
  // statement (mail/store/sizes.cpp).
  asio::awaitable<result<message_sizes>> sizes(mailbox_ref box, std::size_t limit);
  // `length` bytes (the rest when negative) from `offset` of the message as
  // IMAP serves it: header_prefix then the blob (RFC822.SIZE = size). Only
  // the range is read from the blob.
  asio::awaitable<result<std::string>> read(message_meta const& message, std::int64_t offset = 0,
                                            std::int64_t length = -1) const;

  // ---- changing (store_flags.cpp, expunge.cpp, append.cpp, copy.cpp) ------
  // DURABILITY (all of these): committed (WAL flushed) when they return
  // success, so the session may answer OK; on error nothing changed.
  // STORE: flags are canonical (normalise_flags). With unchanged_since, a
  // message whose MODSEQ is greater is left alone and reported failed.
  asio::awaitable<result<store_result>> store_flags(mailbox_ref box, uid_set uids, store_mode mode, flag_list flags,
                                                    std::optional<std::int64_t> unchanged_since = std::nullopt);
  // EXPUNGE (or UID EXPUNGE with `only`): removes \Deleted messages.
  asio::awaitable<result<expunge_result>> expunge(mailbox_ref box, std::optional<uid_set> only = std::nullopt);
  // POP3 at QUIT (RFC 1939 6): removes exactly these messages, whatever
  // their flags, recorded like an EXPUNGE (IMAP sessions see it at once).
  asio::awaitable<result<expunge_result>> expunge_uids(mailbox_ref box, uid_set uids);
  // APPEND (MULTIAPPEND: all or nothing). over_quota, nonexistent.
  asio::awaitable<result<append_result>> append(mailbox_ref box, std::vector<append_item> items);
  // COPY / MOVE (RFC 6851): the blobs are shared, new UIDs in `to`. over_quota.
  asio::awaitable<result<copy_result>> copy(mailbox_ref from, uid_set uids, std::int64_t to_mailbox);
  asio::awaitable<result<copy_result>> move(mailbox_ref from, uid_set uids, std::int64_t to_mailbox);

  store_limits const& limits() const noexcept { return limits_; }
  db::pool& pool() const noexcept { return pool_; }

 private:
  asio::awaitable<result<snapshot>> read_snapshot(mailbox_ref box);
  asio::awaitable<result<void>> attach_structures(std::vector<message_meta>& messages) const;
  asio::awaitable<result<std::shared_ptr<std::string const>>> cached_header(message_meta const& message) const;
  asio::awaitable<result<expunge_result>> remove_messages(mailbox_ref box, uid_set uids, bool only_deleted);
  asio::awaitable<result<copy_result>> transfer(mailbox_ref from, uid_set uids, std::int64_t to_mailbox, bool move);

  db::pool& pool_;
  blob::store const& blobs_;
  store_limits limits_;
  std::unique_ptr<body_cache> cache_;
  std::unique_ptr<snapshot_cache> snapshots_;
  std::atomic<std::int64_t> quota_grace_percent_{10};
};

// The UIDs of `set`, sorted and merged, as two arrays (first, last) for
// `unnest($n::bigint[], $m::bigint[])`. Pure.
uid_set normalise(uid_set set);

}  // namespace posta::mail::store
