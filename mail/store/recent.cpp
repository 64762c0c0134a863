// \Recent (RFC 3501 2.3.2): a message is \Recent in the one session that
// first selects its mailbox after it arrived (or first hears of it while
// selected). The claim is a row of the database, not of a node: one
// statement moves mailboxes.recent_uid up and returns where it was, with
// the row locked, so two sessions on any nodes never claim the same UID.
#include "mail/store/mailbox_store.hpp"

namespace posta::mail::store {

asio::awaitable<result<std::optional<uid_t>>> mailbox_store::claim_recent(mailbox_ref box, uid_t up_to) {
  co_return co_await pool_.transaction([&](db::connection& c) -> asio::awaitable<result<std::optional<uid_t>>> {
    // DURABILITY: none needed. A crash that loses this commit lowers the
    // mark again: the messages are \Recent once more in the next session,
    // which RFC 3501 allows; nothing a client stored depends on it. So the
    // claim does not wait for a WAL flush.
    POSTA_CO_TRY(co_await c.q("SET LOCAL synchronous_commit TO off"));
    // The locked subquery reads the mark as it is after any concurrent
    // claim commits (READ COMMITTED re-reads a locked row), so "before" is
    // the value this UPDATE replaces.
    POSTA_CO_TRY_ASSIGN(auto rows,
                        co_await c.q("UPDATE mailboxes m SET recent_uid = $3 FROM (SELECT id, recent_uid FROM mailboxes "
                                     "WHERE id = $1 AND account_id = $2 FOR UPDATE) o "
                                     "WHERE m.id = o.id AND o.recent_uid < $3 RETURNING o.recent_uid",
                                     box.mailbox_id, box.account_id, static_cast<std::int64_t>(up_to)));
    if (rows.empty()) co_return std::optional<uid_t>{};
    co_return std::optional<uid_t>(static_cast<uid_t>(rows.i64(0, 0)));
  });
}

}  // namespace posta::mail::store
