// Rows of xmpp_online_resources (schema/021): one upsert, one delete, and
// the clean-up of a crashed run.
#include "jabber/store/online_store.hpp"

namespace posta::jabber::store {

asio::awaitable<result<void>> record_online(db::pool& pool, std::string const& node, std::string const& account,
                                            std::string const& resource, std::string const& token) {
  POSTA_CO_TRY(
      co_await pool.q("INSERT INTO xmpp_online_resources(account_id, resource, node, token) "
                      "SELECT id, $2, $3, $4 FROM accounts WHERE address = $1 "
                      "ON CONFLICT (account_id, resource) DO UPDATE "
                      "SET node = EXCLUDED.node, token = EXCLUDED.token, since = now()",
                      account, resource, node, token));
  co_return result<void>{};
}

asio::awaitable<result<void>> record_offline(db::pool& pool, std::string const& account, std::string const& resource,
                                             std::string const& token) {
  POSTA_CO_TRY(
      co_await pool.q("DELETE FROM xmpp_online_resources o USING accounts a "
                      "WHERE a.address = $1 AND o.account_id = a.id AND o.resource = $2 AND o.token = $3",
                      account, resource, token));
  co_return result<void>{};
}

asio::awaitable<result<std::int64_t>> end_resources_of_earlier_run(db::pool& pool, std::string const& node) {
  // The sibling CTE sees the rows before the delete: resources on other
  // nodes are those with another node's name.
  POSTA_CO_TRY_ASSIGN(
      auto rows,
      co_await pool.q("WITH gone AS (DELETE FROM xmpp_online_resources WHERE node = $1 RETURNING account_id), "
                      "ended AS (INSERT INTO xmpp_last_activity(account_id, at, status) "
                      "  SELECT DISTINCT g.account_id, now(), '' FROM gone g WHERE NOT EXISTS ("
                      "    SELECT 1 FROM xmpp_online_resources o WHERE o.account_id = g.account_id AND o.node <> $1) "
                      "  ON CONFLICT (account_id) DO UPDATE SET at = EXCLUDED.at, status = EXCLUDED.status "
                      "  RETURNING account_id) "
                      "SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM ended)",
                      node));
  co_return rows.i64(0, 0);
}

}  // namespace posta::jabber::store
