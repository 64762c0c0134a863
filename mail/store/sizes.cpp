// A mailbox's messages with their sizes only, oldest first and bounded: what
// a POP3 maildrop lists (RFC 1939 5 STAT/LIST, 7 UIDL), without the flags,
// prefixes, hashes and structures FETCH metadata carries.
#include "mail/store/mailbox_store.hpp"

namespace posta::mail::store {

asio::awaitable<result<message_sizes>> mailbox_store::sizes(mailbox_ref box, std::size_t limit) {
  // count(*) OVER () counts the rows before LIMIT: the mailbox's total, in
  // the same snapshot as the listed ones.
  std::string sql =
      "SELECT m.uid, m.size, count(*) OVER () FROM messages m WHERE m.mailbox_id = $1 "
      "AND EXISTS (SELECT 1 FROM mailboxes b WHERE b.id = $1 AND b.account_id = $2) ORDER BY m.uid LIMIT $3";
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool_.q(std::move(sql), box.mailbox_id, box.account_id,
                                                   static_cast<std::int64_t>(limit)));
  message_sizes out;
  out.messages.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i)
    out.messages.push_back({static_cast<uid_t>(rows.i64(i, 0)), rows.i64(i, 1)});
  if (!rows.empty()) out.total = rows.i64(0, 2);
  co_return out;
}

}  // namespace posta::mail::store
