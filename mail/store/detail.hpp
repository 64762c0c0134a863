// Shared pieces of the store's transactions: row locks in the one order
// delivery uses (mailboxes by id, then blobs by hash), expunge records,
// NOTIFY, quota.
#pragma once

#include "core/db/pool.hpp"
#include "mail/store/types.hpp"

#include <map>
#include <set>

namespace posta::mail::store::detail {

struct locked_mailbox {
  std::int64_t id = 0;
  std::int64_t account_id = 0;
  std::string name;
  std::int64_t uidvalidity = 0;
  std::int64_t uidnext = 0;
  std::int64_t highestmodseq = 0;
  bool noselect = false;
  flag_list keywords;
  std::int64_t quota_bytes = 0, used_bytes = 0, quota_messages = 0, used_messages = 0;
};

// The statement lock_mailboxes runs, for a caller that pipelines it with
// its first read, and its rows as lock_mailboxes returns them.
extern char const* const lock_mailboxes_sql;
db::params lock_mailboxes_params(std::int64_t account_id, std::set<std::int64_t> const& ids);
result<std::map<std::int64_t, locked_mailbox>> locked_from(db::rows const& rows, std::size_t expected);

// FOR UPDATE of the mailboxes `ids` of `account_id`, in id order.
// nonexistent unless every one exists and is selectable.
asio::awaitable<result<std::map<std::int64_t, locked_mailbox>>> lock_mailboxes(db::connection& c,
                                                                               std::int64_t account_id,
                                                                               std::set<std::int64_t> const& ids);
asio::awaitable<result<locked_mailbox>> lock_mailbox(db::connection& c, mailbox_ref box);

// The mailbox row of `name` (normalised) locked, when it exists.
asio::awaitable<result<std::optional<mailbox_info>>> lock_by_name(db::connection& c, std::int64_t account,
                                                                  std::string const& name);
// Missing superiors of `name` as ordinary mailboxes (RFC 3501 6.3.3 SHOULD).
asio::awaitable<result<void>> create_superiors(db::connection& c, std::int64_t account, std::string const& name);

// FOR UPDATE of blob rows in hash order: taken after the mailbox rows by a
// transaction that drops references (the delete trigger updates them);
// blob::store::pin takes them when references are added.
asio::awaitable<result<void>> lock_blobs(db::connection& c, std::set<std::string> const& hashes);

// The bounds of `set` (normalised) as two bigint[] parameters.
std::pair<std::string, std::string> range_arrays(uid_set const& set);

// SQL for the messages of mailbox $1 whose UID lies in one of the ranges
// ($lo, $hi: the arrays of range_arrays), as `m` with every column: one
// index range scan per range. Measured with the generic plans we force, the
// plain join `unnest(...) JOIN messages m ON m.uid BETWEEN ...` read the
// whole mailbox and filtered it (and hash-joined the structures of every
// message stored): 1 s for one message of a 1,000-message mailbox once a
// large mailbox existed. OFFSET 0 keeps the planner from flattening it.
// `only_deleted` keeps the \Deleted ones, inside, where their partial index
// serves (EXPUNGE of a large mailbox reads only what it removes).
std::string messages_in_ranges(int lo, int hi, bool only_deleted = false);

// Records UIDs expunged at `modseq` and raises the mailbox's HIGHESTMODSEQ.
asio::awaitable<result<void>> record_expunge(db::connection& c, std::int64_t mailbox_id, std::int64_t modseq,
                                             std::vector<uid_t> const& uids);

// NOTIFY posta_mailbox <id> for each (delivered at COMMIT, like delivery's).
asio::awaitable<result<void>> notify(db::connection& c, std::set<std::int64_t> const& ids);

// Keywords of `flags` not yet in box.keywords, added to the row (bounded).
asio::awaitable<result<void>> remember_keywords(db::connection& c, locked_mailbox& box,
                                                std::vector<flag_list const*> const& flags, std::size_t max);

// Deletes the messages of `uids` in `box` (locked, then the blob rows of
// `hashes`) whose blob is in `hashes`; only \Deleted ones
// with only_deleted. Records the expunge with the next MODSEQ.
asio::awaitable<result<expunge_result>> delete_messages(db::connection& c, locked_mailbox& box, uid_set const& uids,
                                                        bool only_deleted, std::set<std::string> const& hashes);

// The delivery rule (mail/delivery/batch_commit.cpp fits()): a quota not yet
// reached takes what crosses it if it ends within the grace.
bool fits(std::int64_t limit, std::int64_t used, std::int64_t adding, std::int64_t grace_percent);

flag_list flags_from(std::string_view pg_text_array);

// Several reads that must see one database snapshot (REPEATABLE READ, READ
// ONLY), in one pipeline: BEGIN, the statements, COMMIT in three round trips,
// bounded like any transaction of the pool.
asio::awaitable<result<std::vector<db::rows>>> read_consistent(db::pool& pool, std::vector<db::statement> reads);

}  // namespace posta::mail::store::detail
