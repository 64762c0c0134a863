// XEP-0191 blocklist rows: read whole, add within the bound, remove.
#include "jabber/store/blocklist_store.hpp"

#include "core/db/arrays.hpp"

namespace posta::jabber::store {

asio::awaitable<result<proto::blocklist>> load_blocklist(db::pool& pool, std::string const& account) {
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool.q("SELECT b.jid FROM xmpp_blocklist b JOIN accounts a "
                                                 "ON a.id = b.account_id WHERE a.address = $1",
                                                 account));
  proto::blocklist out;
  for (int r = 0; r < rows.size(); ++r) out.insert(rows.str(r, 0));
  co_return out;
}

asio::awaitable<result<block_outcome>> block_jids(db::pool& pool, std::string const& account,
                                                  std::vector<std::string> const& jids, std::int64_t max_items) {
  // One statement: the bound is checked against the rows it would add.
  POSTA_CO_TRY_ASSIGN(
      auto rows,
      co_await pool.q("WITH a AS (SELECT id FROM accounts WHERE address = $1), "
                      "new AS (SELECT DISTINCT j FROM unnest($2::text[]) AS t(j), a "
                      "  WHERE NOT EXISTS (SELECT 1 FROM xmpp_blocklist b WHERE b.account_id = a.id AND b.jid = j)), "
                      "fits AS (SELECT (SELECT count(*) FROM xmpp_blocklist b, a WHERE b.account_id = a.id) + "
                      "  (SELECT count(*) FROM new) <= $3 AS ok), "
                      "ins AS (INSERT INTO xmpp_blocklist(account_id, jid) SELECT a.id, new.j FROM a, new, fits "
                      "  WHERE fits.ok ON CONFLICT DO NOTHING RETURNING 1) "
                      "SELECT (SELECT count(*) FROM a), (SELECT ok FROM fits)",
                      account, db::text_array(jids), max_items));
  if (rows.i64(0, 0) == 0) co_return block_outcome::no_account;
  co_return rows.boolean(0, 1) ? block_outcome::done : block_outcome::full;
}

asio::awaitable<result<void>> unblock_jids(db::pool& pool, std::string const& account,
                                           std::vector<std::string> const& jids) {
  if (jids.empty()) {
    POSTA_CO_TRY(
        co_await pool.q("DELETE FROM xmpp_blocklist b USING accounts a "
                        "WHERE a.id = b.account_id AND a.address = $1",
                        account));
    co_return result<void>{};
  }
  POSTA_CO_TRY(
      co_await pool.q("DELETE FROM xmpp_blocklist b USING accounts a "
                      "WHERE a.id = b.account_id AND a.address = $1 AND b.jid = ANY($2::text[])",
                      account, db::text_array(jids)));
  co_return result<void>{};
}

}  // namespace posta::jabber::store
