// Roster reads and writes (RFC 6121 2.1.3, 2.3, 2.4, 2.5, 2.6): each
// change is one statement that also bumps the account's roster version, so
// a version never names two different rosters.
#include "jabber/store/roster_store.hpp"

#include "core/db/arrays.hpp"
#include "core/identity/addresses.hpp"

#include <algorithm>

namespace posta::jabber::store {
namespace {

proto::subscription subscription_of(std::string_view text) {
  return proto::parse_subscription(text).value_or(proto::subscription::none);
}

// Rows of (contact, name, subscription, ask, group), ordered by contact:
// one row per group, a NULL group for an item without any.
void append_items(db::rows const& rows, int first_col, std::vector<proto::roster_item>& out) {
  for (int r = 0; r < rows.size(); ++r) {
    if (rows.is_null(r, first_col)) continue;
    auto contact = rows.str(r, first_col);
    if (out.empty() || out.back().jid != contact)
      out.push_back({contact,
                     rows.str(r, first_col + 1),
                     {},
                     subscription_of(rows.text(r, first_col + 2)),
                     rows.boolean(r, first_col + 3)});
    if (!rows.is_null(r, first_col + 4)) out.back().groups.push_back(rows.str(r, first_col + 4));
  }
}

}  // namespace

void overlay_shared_groups(proto::roster_item& item, std::string_view groups_json) {
  auto const groups = identity::detail::parse_string_array(groups_json);
  if (groups.empty()) return;
  item.sub = proto::subscription::both;
  item.ask = false;
  for (auto const& g : groups)
    if (std::find(item.groups.begin(), item.groups.end(), g) == item.groups.end()) item.groups.push_back(g);
}

asio::awaitable<result<std::int64_t>> roster_store::version(std::string const& account) {
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool_.q("SELECT coalesce(v.version, 0) FROM accounts a "
                                                  "LEFT JOIN xmpp_roster_versions v ON v.account_id = a.id "
                                                  "WHERE a.address = $1",
                                                  account));
  co_return rows.empty() ? 0 : rows.i64(0, 0);
}

asio::awaitable<result<roster>> roster_store::load(std::string const& account) {
  // One statement, one snapshot: the version matches the items.
  POSTA_CO_TRY_ASSIGN(
      auto rows,
      co_await pool_.q("SELECT coalesce(v.version, 0), r.contact, r.name, r.subscription, r.ask, g.grp "
                       "FROM accounts a "
                       "LEFT JOIN xmpp_roster_versions v ON v.account_id = a.id "
                       "LEFT JOIN LATERAL xmpp_roster_of(a.id) r ON true "  // schema/019: shared groups too
                       "LEFT JOIN LATERAL unnest(r.groups) WITH ORDINALITY g(grp, n) ON true "
                       "WHERE a.address = $1 ORDER BY r.contact, g.n",
                       account));
  roster out;
  if (rows.empty()) co_return out;
  out.version = rows.i64(0, 0);
  append_items(rows, 1, out.items);
  co_return out;
}

asio::awaitable<result<roster_change>> roster_store::load_item(std::string const& account, std::string const& contact) {
  std::vector<std::string> const one{contact};
  POSTA_CO_TRY_ASSIGN(auto changes, co_await load_items(account, one));
  co_return std::move(changes.front());
}

asio::awaitable<result<std::vector<roster_change>>> roster_store::load_items(std::string const& account,
                                                                             std::vector<std::string> const& contacts) {
  auto const wanted = db::text_array(contacts);
  POSTA_CO_TRY_ASSIGN(
      auto rows,
      co_await pool_.q("SELECT coalesce(v.version, 0), r.contact, r.name, r.subscription, r.ask, g.grp "
                       "FROM accounts a "
                       "LEFT JOIN xmpp_roster_versions v ON v.account_id = a.id "
                       "LEFT JOIN LATERAL (SELECT * FROM xmpp_roster_of(a.id) x WHERE x.contact = ANY($2::text[])) r "
                       "  ON true "
                       "LEFT JOIN LATERAL unnest(r.groups) WITH ORDINALITY g(grp, n) ON true "
                       "WHERE a.address = $1 ORDER BY r.contact, g.n",
                       account, wanted));
  std::int64_t const version = rows.empty() ? 0 : rows.i64(0, 0);
  std::vector<proto::roster_item> found;
  append_items(rows, 1, found);
  std::vector<roster_change> out;
  for (auto const& c : contacts) {
    auto it = std::find_if(found.begin(), found.end(), [&](auto const& i) { return i.jid == c; });
    out.push_back(
        {version, it != found.end() ? *it : proto::roster_item{c, {}, {}, proto::subscription::remove, false}});
  }
  co_return out;
}

asio::awaitable<result<roster_store::set_outcome>> roster_store::set_item(std::string const& account,
                                                                          std::string const& contact,
                                                                          std::string const& name,
                                                                          std::vector<std::string> const& groups,
                                                                          std::int64_t max_items) {
  // The version row is locked by the bump; a concurrent set waits and
  // re-checks the bound on the count the first one left (schema/021). A
  // change of an item already listed is no new item.
  POSTA_CO_TRY_ASSIGN(
      auto rows,
      co_await pool_.q("WITH a AS (SELECT id FROM accounts WHERE address = $1), "
                       "v AS (INSERT INTO xmpp_roster_versions AS v (account_id, version) SELECT id, 1 FROM a "
                       "  ON CONFLICT (account_id) DO UPDATE SET version = v.version + 1 "
                       "  WHERE $5::bigint = 0 OR v.own_items < $5::bigint OR EXISTS (SELECT 1 FROM "
                       "    xmpp_roster_items r WHERE r.account_id = v.account_id AND r.contact = $2 AND r.listed) "
                       "  RETURNING version), "
                       "i AS (INSERT INTO xmpp_roster_items(account_id, contact, name, groups) "
                       "  SELECT id, $2, $3, $4::text[] FROM a WHERE EXISTS (SELECT 1 FROM v) "
                       "  ON CONFLICT (account_id, contact) DO UPDATE "
                       "  SET name = EXCLUDED.name, groups = EXCLUDED.groups, listed = true "
                       "  RETURNING subscription, ask) "
                       "SELECT (SELECT count(*) FROM a), v.version, i.subscription, i.ask, "
                       "  coalesce((SELECT xmpp_shared_groups(id, $2) FROM a), '[]') "
                       "FROM (SELECT 1) one LEFT JOIN v ON true LEFT JOIN i ON true",
                       account, contact, name, db::text_array(groups), max_items));
  set_outcome out;
  if (rows.i64(0, 0) == 0) co_return out;
  if (rows.is_null(0, 1) || rows.is_null(0, 2)) {
    out.full = true;
    co_return out;
  }
  out.change =
      roster_change{rows.i64(0, 1), {contact, name, groups, subscription_of(rows.text(0, 2)), rows.boolean(0, 3)}};
  overlay_shared_groups(out.change->item, rows.text(0, 4));
  co_return out;
}

asio::awaitable<result<std::optional<roster_change>>> roster_store::remove_item(std::string const& account,
                                                                                std::string const& contact) {
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool_.q("WITH d AS (DELETE FROM xmpp_roster_items r USING accounts a "
                                                  "  WHERE a.address = $1 AND r.account_id = a.id AND r.contact = $2 "
                                                  "  RETURNING r.account_id, r.listed) "
                                                  "UPDATE xmpp_roster_versions v SET version = v.version + 1 "
                                                  "FROM d WHERE v.account_id = d.account_id AND d.listed "
                                                  "RETURNING v.version, xmpp_shared_groups(v.account_id, $2)",
                                                  account, contact));
  if (rows.empty()) co_return std::nullopt;
  // A shared group's member stays listed (schema/019, 025): the push says so.
  roster_change out{rows.i64(0, 0), {contact, {}, {}, proto::subscription::remove, false}};
  overlay_shared_groups(out.item, rows.text(0, 1));
  co_return out;
}

}  // namespace posta::jabber::store
