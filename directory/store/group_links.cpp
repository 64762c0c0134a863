#include "directory/store/group_links.hpp"

#include "core/db/arrays.hpp"
#include "core/identity/addresses.hpp"
#include "core/journal/journal.hpp"
#include "directory/proto/shared_groups.hpp"
#include "directory/store/account_links.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <map>

namespace posta::directory::store {
namespace {

// Members are the source's accounts with those DNs (one statement).
asio::awaitable<result<void>> set_members(db::connection& c, std::int64_t source_id, std::int64_t group_id,
                                          std::vector<std::string> const& dns) {
  POSTA_CO_TRY(co_await c.q("DELETE FROM group_members WHERE group_id = $1", group_id));
  auto args = db::make_params(group_id, source_id, db::text_array(dns));
  POSTA_CO_TRY(
      co_await c.query("INSERT INTO group_members(group_id, account_id) SELECT $1, a.id FROM accounts a "
                       "JOIN unnest($3::text[]) AS m(dn) ON lower(a.directory_dn) = m.dn "
                       "WHERE a.directory_source_id = $2 AND a.directory_dn IS NOT NULL "
                       "ON CONFLICT DO NOTHING",
                       std::move(args)));
  co_return result<void>{};
}

constexpr char const* account_dns_sql =
    "SELECT lower(directory_dn) FROM accounts WHERE directory_source_id = $1 AND directory_dn IS NOT NULL";

std::vector<std::string> first_column(db::rows const& rows) {
  std::vector<std::string> out;
  for (int i = 0; i < rows.size(); ++i) out.push_back(rows.str(i, 0));
  return out;
}

void journal_too_large(std::int64_t source_id, std::vector<std::string> const& names, int max_members) {
  if (names.empty()) return;
  std::string listed;
  for (std::size_t i = 0; i < names.size() && i < 10; ++i) listed += (i ? ", " : "") + names[i];
  journal::record(journal::level::warning, "directory", "directory groups too large to share in XMPP rosters",
                  {{"source_id", source_id},
                   {"groups", names.size()},
                   {"names", listed},
                   {"xmpp_shared_group_max_members", max_members}});
}

// A shared plan as parallel arrays for unnest(): groups (uuid, name) and
// members (uuid, DN).
struct shared_arrays {
  std::vector<std::string> uuids, names, member_uuids, member_dns;
  explicit shared_arrays(proto::shared_plan const& plan) {
    for (auto const& g : plan.groups) {
      uuids.push_back(g.uuid);
      names.push_back(g.name);
      member_uuids.insert(member_uuids.end(), g.member_dns.size(), g.uuid);
      member_dns.insert(member_dns.end(), g.member_dns.begin(), g.member_dns.end());
    }
  }
};

// The wanted (group, account) pairs of $2, $3, by a hash join on the DNs;
// only rows that change are written, so schema/025's triggers push only
// real changes.
std::string const want_cte =
    "WITH want AS (SELECT DISTINCT w.u AS uuid, a.id FROM unnest($2::text[], $3::text[]) w(u, dn) "
    "JOIN accounts a ON a.directory_source_id = $1 AND lower(a.directory_dn) = w.dn) ";
std::string const drop_members_sql = want_cte +
                                     "DELETE FROM directory_shared_members m WHERE m.source_id = $1 "
                                     "AND (m.uuid, m.account_id) NOT IN (SELECT uuid, id FROM want)";
std::string const add_members_sql = want_cte +
                                    "INSERT INTO directory_shared_members(source_id, uuid, account_id) "
                                    "SELECT $1, uuid, id FROM want ON CONFLICT DO NOTHING";

}  // namespace

asio::awaitable<result<void>> save_shared_groups(db::connection& c, std::int64_t source_id,
                                                 std::vector<proto::directory_group> const& groups, int max_members) {
  POSTA_CO_TRY_ASSIGN(auto dn_rows, co_await c.q(account_dns_sql, source_id));
  auto const plan = proto::plan_shared_groups(groups, first_column(dn_rows), static_cast<std::size_t>(max_members));
  journal_too_large(source_id, plan.too_large, max_members);
  shared_arrays const a(plan);
  // Members that go first, then groups that go, then new names and members.
  auto members = db::make_params(source_id, db::text_array(a.member_uuids), db::text_array(a.member_dns));
  POSTA_CO_TRY(co_await c.query(drop_members_sql, members));
  auto const uuid_list = db::text_array(a.uuids);
  POSTA_CO_TRY(co_await c.q("DELETE FROM directory_shared_groups WHERE source_id = $1 AND uuid <> ALL($2::text[])",
                            source_id, uuid_list));
  auto group_args = db::make_params(source_id, uuid_list, db::text_array(a.names));
  POSTA_CO_TRY(
      co_await c.query("INSERT INTO directory_shared_groups(source_id, uuid, name) "
                       "SELECT $1, u, n FROM unnest($2::text[], $3::text[]) t(u, n) "
                       "ON CONFLICT (source_id, uuid) DO UPDATE SET name = EXCLUDED.name "
                       "WHERE directory_shared_groups.name IS DISTINCT FROM EXCLUDED.name",
                       std::move(group_args)));
  POSTA_CO_TRY(co_await c.query(add_members_sql, std::move(members)));
  co_return result<void>{};
}

asio::awaitable<result<std::vector<proto::known_group>>> load_known_groups(db::pool& pool, std::int64_t source_id) {
  POSTA_CO_TRY_ASSIGN(
      auto rows,
      co_await pool.q("SELECT g.id, g.directory_uid, g.address, g.name, coalesce(g.directory_dn, ''), "
                      "coalesce((SELECT array_to_json(array_agg(lower(a.directory_dn) ORDER BY lower(a.directory_dn)))"
                      "::text FROM group_members m JOIN accounts a ON a.id = m.account_id "
                      "WHERE m.group_id = g.id AND a.directory_dn IS NOT NULL), '[]') "
                      "FROM groups g WHERE g.directory_source_id = $1 AND g.directory_uid IS NOT NULL",
                      source_id));
  std::vector<proto::known_group> out;
  for (int i = 0; i < rows.size(); ++i) {
    out.push_back({rows.i64(i, 0), rows.str(i, 1), rows.str(i, 2), rows.str(i, 3), rows.str(i, 4),
                   identity::detail::parse_string_array(rows.text(i, 5))});
    // Sorted as the planner sorts (bytes), whatever the database's collation.
    std::sort(out.back().member_dns.begin(), out.back().member_dns.end());
  }
  co_return out;
}

asio::awaitable<result<std::vector<std::string>>> load_account_dns(db::pool& pool, std::int64_t source_id) {
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool.q(account_dns_sql, source_id));
  co_return first_column(rows);
}

asio::awaitable<result<std::set<std::string>>> load_addresses_besides_groups(db::pool& pool, std::int64_t source_id,
                                                                             std::vector<std::string> candidates) {
  auto args = db::make_params(db::text_array(candidates), source_id);
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool.query("SELECT x.address FROM addresses x "
                                                     "JOIN unnest($1::text[]) AS c(address) USING (address) "
                                                     "WHERE NOT EXISTS (SELECT 1 FROM groups g WHERE "
                                                     "g.address = x.address AND g.directory_source_id = $2)",
                                                     std::move(args)));
  std::set<std::string> out;
  for (int i = 0; i < rows.size(); ++i) out.insert(rows.str(i, 0));
  co_return out;
}

asio::awaitable<result<std::vector<proto::directory_group>>> load_directory_groups(db::pool& pool,
                                                                                   std::int64_t source_id) {
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool.q("SELECT uuid, dn, name, mail, members::text FROM directory_groups "
                                                 "WHERE source_id = $1",
                                                 source_id));
  std::vector<proto::directory_group> out;
  for (int i = 0; i < rows.size(); ++i)
    out.push_back({rows.str(i, 0), rows.str(i, 1), rows.str(i, 2), rows.str(i, 3),
                   identity::detail::parse_string_array(rows.text(i, 4))});
  co_return out;
}

asio::awaitable<result<void>> save_directory_groups(db::connection& c, std::int64_t source_id,
                                                    std::vector<proto::directory_group> const& groups) {
  POSTA_CO_TRY(co_await c.q("DELETE FROM directory_groups WHERE source_id = $1", source_id));
  std::vector<std::string> uuids, dns, names, mails, members;
  for (auto const& g : groups) {
    uuids.push_back(g.uuid);
    dns.push_back(g.dn);
    names.push_back(g.name);
    mails.push_back(g.mail);
    boost::json::array a;
    for (auto const& m : g.members) a.emplace_back(m);
    members.push_back(boost::json::serialize(a));
  }
  auto args = db::make_params(source_id, db::text_array(uuids), db::text_array(dns), db::text_array(names),
                              db::text_array(mails), db::text_array(members));
  POSTA_CO_TRY(
      co_await c.query("INSERT INTO directory_groups(source_id, uuid, dn, name, mail, members) "
                       "SELECT $1, u, d, n, m, j::jsonb FROM unnest($2::text[], $3::text[], $4::text[], "
                       "$5::text[], $6::text[]) AS t(u, d, n, m, j)",
                       std::move(args)));
  co_return result<void>{};
}

asio::awaitable<result<void>> create_groups(db::connection& c, std::int64_t source_id,
                                            std::span<proto::planned_group const> groups) {
  std::vector<std::string> mails, names, uids, dns;
  for (auto const& g : groups) {
    mails.push_back(g.group.mail);
    names.push_back(g.group.name);
    uids.push_back(g.group.uuid);
    dns.push_back(g.group.dn);
  }
  auto args = db::make_params(db::text_array(mails), db::text_array(names), db::text_array(uids), db::text_array(dns),
                              source_id);
  // As create_accounts: the addresses are claimed in the same statement; one
  // taken meanwhile fails the batch (the next pass plans it as a conflict).
  POSTA_CO_TRY_ASSIGN(
      auto made,
      co_await c.query("WITH input AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) "
                       "AS t(address, name, uid, dn)), claimed AS (INSERT INTO addresses(address, domain_id, kind) "
                       "SELECT i.address, d.id, 'group' FROM input i JOIN domains d "
                       "ON d.name = split_part(i.address, '@', 2) RETURNING address, domain_id) "
                       "INSERT INTO groups(address, domain_id, name, source, directory_source_id, directory_uid, "
                       "directory_dn) SELECT i.address, k.domain_id, i.name, 'directory', $5, i.uid, i.dn "
                       "FROM input i JOIN claimed k USING (address) RETURNING id, address",
                       std::move(args)));
  if (made.size() != static_cast<int>(groups.size()))
    co_return make_error(errc::not_found, "directory sync: a domain of a new list is missing");
  std::map<std::string, std::int64_t> id_of;
  for (int i = 0; i < made.size(); ++i) id_of[made.str(i, 1)] = made.i64(i, 0);
  std::vector<std::int64_t> member_of;
  std::vector<std::string> member_dns;
  for (auto const& g : groups)
    for (auto const& dn : g.member_dns) {
      member_of.push_back(id_of[g.group.mail]);
      member_dns.push_back(dn);
    }
  auto members = db::make_params(db::int_array(member_of), db::text_array(member_dns), source_id);
  POSTA_CO_TRY(
      co_await c.query("INSERT INTO group_members(group_id, account_id) SELECT m.g, a.id "
                       "FROM unnest($1::bigint[], $2::text[]) AS m(g, dn) JOIN accounts a "
                       "ON lower(a.directory_dn) = m.dn AND a.directory_source_id = $3 "
                       "WHERE a.directory_dn IS NOT NULL ON CONFLICT DO NOTHING",
                       std::move(members)));
  co_return result<void>{};
}

asio::awaitable<result<void>> update_group(db::connection& c, std::int64_t source_id, proto::planned_group const& g) {
  auto const& before = *g.before;
  if (before.address != g.group.mail)
    POSTA_CO_TRY(co_await rename_owner(c, "group", before.id, before.address, g.group.mail));
  POSTA_CO_TRY(co_await c.q("UPDATE groups SET name = $2, directory_dn = $3 WHERE id = $1", before.id, g.group.name,
                            g.group.dn));
  if (before.member_dns != g.member_dns) POSTA_CO_TRY(co_await set_members(c, source_id, before.id, g.member_dns));
  co_return result<void>{};
}

asio::awaitable<result<bool>> delete_group(db::connection& c, proto::known_group const& g) {
  POSTA_CO_TRY_ASSIGN(auto refs,
                      co_await c.q("SELECT 1 FROM alias_targets WHERE local_address = $1 LIMIT 1", g.address));
  if (!refs.empty()) co_return false;
  POSTA_CO_TRY(co_await identity::detail::delete_owner(c, g.address, "group"));
  co_return true;
}

}  // namespace posta::directory::store
