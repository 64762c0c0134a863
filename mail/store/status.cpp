// STATUS data (RFC 3501 6.3.10, RFC 9051 6.3.11, RFC 7162 HIGHESTMODSEQ,
// RFC 8438 SIZE) and quota root data (RFC 9208 STORAGE in KiB, MESSAGE).
#include "mail/store/mailbox_store.hpp"

namespace posta::mail::store {

asio::awaitable<result<mailbox_status>> mailbox_store::status(mailbox_ref box) {
  // One statement, one snapshot: counts and UIDNEXT agree.
  POSTA_CO_TRY_ASSIGN(auto rows,
                      co_await pool_.q("SELECT b.id, count(m.id), b.uidnext, b.uidvalidity, "
                                       "count(m.id) FILTER (WHERE NOT ('\\Seen' = ANY(m.flags))), "
                                       "count(m.id) FILTER (WHERE '\\Deleted' = ANY(m.flags)), "
                                       "coalesce(sum(m.size), 0), b.highestmodseq, count(m.id) FILTER (WHERE m.uid > b.recent_uid) "
                                       "FROM mailboxes b LEFT JOIN messages m ON m.mailbox_id = b.id "
                                       "WHERE b.id = $1 AND b.account_id = $2 AND NOT b.noselect GROUP BY b.id",
                                       box.mailbox_id, box.account_id));
  if (rows.empty()) co_return make_error(store_errc::nonexistent, "mailbox");
  co_return mailbox_status{rows.i64(0, 0), rows.i64(0, 1), rows.i64(0, 2), rows.i64(0, 3),
                           rows.i64(0, 4), rows.i64(0, 5), rows.i64(0, 6), rows.i64(0, 7), rows.i64(0, 8)};
}

asio::awaitable<result<quota_info>> mailbox_store::quota(std::int64_t account_id) {
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool_.q("SELECT used_bytes, quota_bytes, used_messages, quota_messages "
                                                  "FROM accounts WHERE id = $1",
                                                  account_id));
  if (rows.empty()) co_return make_error(store_errc::nonexistent, "account");
  quota_info q;
  // RFC 9208 5.1: STORAGE in units of 1024 octets, rounded up.
  q.storage_used_kib = (rows.i64(0, 0) + 1023) / 1024;
  if (rows.i64(0, 1) > 0) q.storage_limit_kib = rows.i64(0, 1) / 1024;
  q.messages_used = rows.i64(0, 2);
  if (rows.i64(0, 3) > 0) q.messages_limit = rows.i64(0, 3);
  co_return q;
}

}  // namespace posta::mail::store
