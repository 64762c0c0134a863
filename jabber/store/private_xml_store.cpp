// XEP-0049 rows: read one namespace, replace some within the account's bounds.
#include "jabber/store/private_xml_store.hpp"

#include "core/db/arrays.hpp"

#include <vector>

namespace posta::jabber::store {

asio::awaitable<result<std::optional<std::string>>> load_private_xml(db::pool& pool, std::string const& account,
                                                                     std::string const& ns) {
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool.q("SELECT p.fragment FROM xmpp_private_xml p JOIN accounts a "
                                                 "ON a.id = p.account_id WHERE a.address = $1 AND p.namespace = $2",
                                                 account, ns));
  if (rows.empty()) co_return std::nullopt;
  co_return rows.str(0, 0);
}

asio::awaitable<result<private_xml_outcome>> store_private_xml(db::pool& pool, std::string const& account,
                                                               std::map<std::string, std::string> const& fragments,
                                                               private_xml_limits const& limits) {
  std::vector<std::string> names, texts;
  for (auto const& [ns, xml] : fragments) {
    names.push_back(ns);
    texts.push_back(xml);
  }
  auto out = co_await pool.transaction([&](db::connection& c) -> asio::awaitable<result<private_xml_outcome>> {
    POSTA_CO_TRY_ASSIGN(auto ids, co_await c.q("SELECT id FROM accounts WHERE address = $1", account));
    if (ids.empty()) co_return private_xml_outcome::no_account;
    auto const id = ids.i64(0, 0);
    POSTA_CO_TRY(
        co_await c.q("INSERT INTO xmpp_private_xml(account_id, namespace, fragment) "
                     "SELECT $1, n, f FROM unnest($2::text[], $3::text[]) AS t(n, f) "
                     "ON CONFLICT (account_id, namespace) DO UPDATE SET fragment = EXCLUDED.fragment",
                     id, db::text_array(names), db::text_array(texts)));
    POSTA_CO_TRY_ASSIGN(auto totals, co_await c.q("SELECT count(*), coalesce(sum(octet_length(fragment)), 0) "
                                                  "FROM xmpp_private_xml WHERE account_id = $1",
                                                  id));
    // Over a bound: an error rolls the whole set back.
    if (totals.i64(0, 0) > limits.max_namespaces || totals.i64(0, 1) > limits.max_bytes)
      co_return make_error(errc::limit_exceeded, "private XML storage full");
    co_return private_xml_outcome::stored;
  });
  if (!out && out.error().code == make_error_code(errc::limit_exceeded)) co_return private_xml_outcome::full;
  co_return out;
}

}  // namespace posta::jabber::store
