// XEP-0012 rows: the last unavailable time written, and read with the
// asker's subscription to the contact in one query.
#include "jabber/store/last_activity_store.hpp"

namespace posta::jabber::store {

asio::awaitable<result<void>> record_unavailable(db::pool& pool, std::string const& account,
                                                 std::string const& status) {
  POSTA_CO_TRY(
      co_await pool.q("INSERT INTO xmpp_last_activity(account_id, at, status) "
                      "SELECT id, now(), $2 FROM accounts WHERE address = $1 "
                      "ON CONFLICT (account_id) DO UPDATE SET at = EXCLUDED.at, status = EXCLUDED.status",
                      account, status));
  co_return result<void>{};
}

asio::awaitable<result<std::optional<last_activity>>> load_last_activity(db::pool& pool, std::string const& asker,
                                                                         std::string const& contact) {
  POSTA_CO_TRY_ASSIGN(auto rows,
                      co_await pool.q("SELECT (SELECT r.subscription FROM xmpp_roster_items r JOIN accounts u "
                                      "  ON u.id = r.account_id WHERE u.address = $1 AND r.contact = $2), "
                                      "l.at IS NOT NULL, floor(extract(epoch FROM now() - l.at))::bigint, l.status "
                                      "FROM accounts c LEFT JOIN xmpp_last_activity l ON l.account_id = c.id "
                                      "WHERE c.address = $2",
                                      asker, contact));
  if (rows.empty()) co_return std::nullopt;
  last_activity out;
  out.asker_sub = proto::parse_subscription(rows.text(0, 0)).value_or(proto::subscription::none);
  if (rows.boolean(0, 1)) out.seconds = rows.i64(0, 2);
  out.status = rows.str(0, 3);
  co_return out;
}

}  // namespace posta::jabber::store
