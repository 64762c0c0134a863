// XEP-0160 offline storage: store within the per-account bound, read in
// arrival order, delete what was handed to a session.
#include "jabber/store/offline.hpp"

#include "core/db/arrays.hpp"

namespace posta::jabber::store {

asio::awaitable<result<offline_outcome>> store_offline(db::pool& pool, std::string const& account,
                                                       std::string const& stanza, std::int64_t max_messages) {
  // One statement: the counter row is raised only below the bound (a
  // concurrent store waits for its lock and re-checks), and the message is
  // inserted only when it was.
  POSTA_CO_TRY_ASSIGN(
      auto rows,
      co_await pool.q("WITH a AS (SELECT id FROM accounts WHERE address = $1), "
                      "c AS (INSERT INTO xmpp_offline_counts AS c (account_id, stored) "
                      "  SELECT id, 1 FROM a WHERE $3::bigint > 0 "
                      "  ON CONFLICT (account_id) DO UPDATE SET stored = c.stored + 1 WHERE c.stored < $3::bigint "
                      "  RETURNING account_id), "
                      "m AS (INSERT INTO xmpp_offline_messages(account_id, stanza) SELECT account_id, $2 FROM c "
                      "  RETURNING id) "
                      "SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM m)",
                      account, stanza, max_messages));
  if (rows.i64(0, 0) == 0) co_return offline_outcome::no_account;
  if (rows.i64(0, 1) == 0) co_return offline_outcome::full;
  co_return offline_outcome::stored;
}

asio::awaitable<result<std::vector<offline_message>>> offline_messages(db::pool& pool, std::string const& account) {
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool.q("SELECT o.id, o.stanza FROM xmpp_offline_messages o "
                                                 "JOIN accounts a ON a.id = o.account_id WHERE a.address = $1 "
                                                 "ORDER BY o.id",
                                                 account));
  std::vector<offline_message> out;
  for (int r = 0; r < rows.size(); ++r) out.push_back({rows.i64(r, 0), rows.str(r, 1)});
  co_return out;
}

asio::awaitable<result<void>> delete_offline(db::pool& pool, std::vector<std::int64_t> const& ids) {
  if (ids.empty()) co_return result<void>{};
  POSTA_CO_TRY(co_await pool.q("DELETE FROM xmpp_offline_messages WHERE id = ANY($1::bigint[])", db::int_array(ids)));
  co_return result<void>{};
}

}  // namespace posta::jabber::store
