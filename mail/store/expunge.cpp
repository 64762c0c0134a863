// EXPUNGE and UID EXPUNGE (RFC 3501 6.4.3, RFC 4315 2.1): the \Deleted
// messages go, their UIDs are recorded with one new MODSEQ (RFC 7162
// VANISHED), their blob references are returned by the row triggers.
#include "core/db/arrays.hpp"
#include "mail/store/detail.hpp"
#include "mail/store/mailbox_store.hpp"

#include <algorithm>
#include <limits>

namespace posta::mail::store {
namespace detail {

// Inside the caller's transaction, with the mailbox and then the blob rows
// of `hashes` locked: deletes the messages of `uids` (ascending ranges) that
// are \Deleted (any, without only_deleted) and whose blob is among `hashes`;
// the delete trigger returns their blob references (schema/007).
asio::awaitable<result<expunge_result>> delete_messages(db::connection& c, locked_mailbox& box, uid_set const& uids,
                                                        bool only_deleted, std::set<std::string> const& hashes) {
  auto [first, last] = range_arrays(uids);
  std::vector<std::string> locked(hashes.begin(), hashes.end());
  std::string sql = "DELETE FROM messages d WHERE d.id IN (SELECT m.id FROM " +
                    messages_in_ranges(2, 3, only_deleted) + " WHERE m.blob_hash = ANY($4::text[])) RETURNING d.uid";
  POSTA_CO_TRY_ASSIGN(auto gone, co_await c.q(std::move(sql), box.id, first, last, db::text_array(locked)));
  expunge_result out;
  for (int i = 0; i < gone.size(); ++i) out.uids.push_back(static_cast<uid_t>(gone.i64(i, 0)));
  if (out.uids.empty()) co_return out;
  std::sort(out.uids.begin(), out.uids.end());
  out.modseq = ++box.highestmodseq;
  POSTA_CO_TRY(co_await record_expunge(c, box.id, out.modseq, out.uids));
  co_return out;
}

}  // namespace detail

asio::awaitable<result<expunge_result>> mailbox_store::expunge(mailbox_ref box, std::optional<uid_set> only) {
  uid_set uids = only ? std::move(*only) : uid_set{{1, std::numeric_limits<uid_t>::max()}};
  return remove_messages(box, std::move(uids), true);
}

asio::awaitable<result<expunge_result>> mailbox_store::expunge_uids(mailbox_ref box, uid_set uids) {
  return remove_messages(box, std::move(uids), false);
}

asio::awaitable<result<expunge_result>> mailbox_store::remove_messages(mailbox_ref box, uid_set set, bool only_deleted) {
  auto uids = normalise(std::move(set));
  auto [first, last] = detail::range_arrays(uids);
  std::string candidates_sql = "SELECT DISTINCT m.blob_hash FROM " + detail::messages_in_ranges(2, 3, only_deleted);
  co_return co_await pool_.transaction([&](db::connection& c) -> asio::awaitable<result<expunge_result>> {
    // Lock order (as delivery): the mailbox row, then blob rows by hash. The
    // \Deleted set cannot change meanwhile: STORE takes the mailbox row too.
    POSTA_CO_TRY_ASSIGN(auto locked, co_await detail::lock_mailbox(c, box));
    POSTA_CO_TRY_ASSIGN(auto candidates, co_await c.q(candidates_sql, box.mailbox_id, first, last));
    std::set<std::string> hashes;
    for (int i = 0; i < candidates.size(); ++i) hashes.insert(candidates.str(i, 0));
    POSTA_CO_TRY(co_await detail::lock_blobs(c, hashes));
    if (hashes.empty()) co_return expunge_result{};
    POSTA_CO_TRY_ASSIGN(auto out, co_await detail::delete_messages(c, locked, uids, only_deleted, hashes));
    std::set<std::int64_t> ids{box.mailbox_id};
    POSTA_CO_TRY(co_await detail::notify(c, ids));
    // DURABILITY: the caller answers OK (and sends EXPUNGE/VANISHED) after
    // this commits; a crash before leaves every message in place.
    co_return out;
  });
}

}  // namespace posta::mail::store
