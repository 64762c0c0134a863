#include "directory/store/account_links.hpp"

#include "core/db/arrays.hpp"
#include "core/identity/addresses.hpp"
#include "core/identity/auto_folders.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <map>

namespace posta::directory::store {
namespace {

std::string details_json(proto::directory_user const& u) {
  boost::json::object o;
  for (auto const& [k, v] : u.details) o[k] = v;
  return boost::json::serialize(o);
}

std::vector<std::pair<std::string, std::string>> details_from(std::string_view json) {
  std::vector<std::pair<std::string, std::string>> out;
  boost::system::error_code ec;
  auto doc = boost::json::parse(json, ec);
  if (ec || !doc.is_object()) return out;
  for (auto const& [k, v] : doc.as_object())
    if (v.is_string()) out.emplace_back(std::string(k), std::string(v.as_string()));
  std::sort(out.begin(), out.end());
  return out;
}

asio::awaitable<result<void>> add_alias(db::connection& c, std::int64_t account_id, std::string const& account,
                                        std::string alias) {
  POSTA_CO_TRY_ASSIGN(auto domain_id, co_await identity::detail::claim_address(c, alias, "alias"));
  POSTA_CO_TRY_ASSIGN(auto made, co_await c.q("INSERT INTO aliases(address, domain_id, directory_account_id) "
                                              "VALUES ($1, $2, $3) RETURNING id",
                                              alias, domain_id, account_id));
  POSTA_CO_TRY(co_await c.q("INSERT INTO alias_targets(alias_id, target, local_address) VALUES ($1, $2, $2)",
                            made.i64(0, 0), account));
  co_return result<void>{};
}

asio::awaitable<result<void>> drop_alias(db::connection& c, std::string alias) {
  POSTA_CO_TRY(co_await c.q("DELETE FROM aliases WHERE address = $1", alias));  // targets cascade
  POSTA_CO_TRY(co_await c.q("DELETE FROM addresses WHERE address = $1", alias));
  co_return result<void>{};
}

// Makes the account's directory aliases exactly `wanted` (both sorted).
asio::awaitable<result<void>> sync_aliases(db::connection& c, std::int64_t account_id, std::string const& account,
                                           std::vector<std::string> const& had,
                                           std::vector<std::string> const& wanted) {
  for (auto const& a : had)
    if (!std::binary_search(wanted.begin(), wanted.end(), a)) POSTA_CO_TRY(co_await drop_alias(c, a));
  for (auto const& a : wanted)
    if (!std::binary_search(had.begin(), had.end(), a)) POSTA_CO_TRY(co_await add_alias(c, account_id, account, a));
  co_return result<void>{};
}

asio::awaitable<result<void>> store_photo(db::connection& c, std::int64_t account_id, proto::directory_user const& u) {
  if (!u.photo || !u.photo_sha256) {
    POSTA_CO_TRY(co_await c.q("DELETE FROM directory_photos WHERE account_id = $1", account_id));
    co_return result<void>{};
  }
  db::bytes photo{*u.photo};
  POSTA_CO_TRY(
      co_await c.q("INSERT INTO directory_photos(account_id, sha256, photo) VALUES ($1, $2, $3::bytea) "
                   "ON CONFLICT (account_id) DO UPDATE SET sha256 = $2, photo = $3::bytea",
                   account_id, *u.photo_sha256, std::move(photo)));
  co_return result<void>{};
}

}  // namespace

// A new address for an account or group: the alias targets that named it
// follow, the old address is released.
asio::awaitable<result<void>> rename_owner(db::connection& c, std::string kind, std::int64_t id, std::string from,
                                           std::string to) {
  POSTA_CO_TRY(co_await identity::detail::claim_address(c, to, kind));
  auto const update = "UPDATE " + std::string(kind == "account" ? "accounts" : "groups") +
                      " SET address = $2, domain_id = (SELECT domain_id FROM addresses WHERE address = $2) "
                      "WHERE id = $1";
  POSTA_CO_TRY(co_await c.q(update, id, to));
  POSTA_CO_TRY(
      co_await c.q("UPDATE alias_targets SET target = $2, local_address = $2 WHERE local_address = $1", from, to));
  POSTA_CO_TRY(co_await c.q("DELETE FROM addresses WHERE address = $1", from));
  co_return result<void>{};
}

namespace {

// `only`: "" for every linked account, else a join that narrows them.
asio::awaitable<result<std::vector<proto::known_account>>> known_accounts(db::pool& pool, std::string only,
                                                                          db::params args) {
  POSTA_CO_TRY_ASSIGN(
      auto rows,
      co_await pool.query("SELECT a.id, a.directory_uid, a.address, coalesce(a.directory_login, ''), "
                          "coalesce(a.directory_dn, ''), a.display_name, a.enabled, "
                          "a.directory_missing_since IS NOT NULL, a.directory_attributes::text, p.sha256, "
                          "coalesce((SELECT array_to_json(array_agg(l.address ORDER BY l.address))::text FROM "
                          "aliases l WHERE l.directory_account_id = a.id), '[]') "
                          "FROM accounts a " +
                              only +
                              " LEFT JOIN directory_photos p ON p.account_id = a.id "
                              "WHERE a.directory_source_id = $1 AND a.directory_uid IS NOT NULL",
                          std::move(args)));
  std::vector<proto::known_account> out;
  out.reserve(rows.size());
  for (int i = 0; i < rows.size(); ++i)
    out.push_back({rows.i64(i, 0), rows.str(i, 1), rows.str(i, 2), rows.str(i, 3), rows.str(i, 4), rows.str(i, 5),
                   rows.boolean(i, 6), rows.boolean(i, 7), details_from(rows.text(i, 8)),
                   identity::detail::parse_string_array(rows.text(i, 10)), rows.opt(i, 9)});
  co_return out;
}

}  // namespace

asio::awaitable<result<std::vector<proto::known_account>>> load_known_accounts(db::pool& pool, std::int64_t source_id) {
  auto args = db::make_params(source_id);
  std::string const all;
  co_return co_await known_accounts(pool, all, std::move(args));
}

asio::awaitable<result<std::vector<proto::known_account>>> load_known_accounts(db::pool& pool, std::int64_t source_id,
                                                                               std::vector<std::string> uuids) {
  auto args = db::make_params(source_id, db::text_array(uuids));
  std::string const named = "JOIN unnest($2::text[]) AS w(uid) ON w.uid = a.directory_uid";
  co_return co_await known_accounts(pool, named, std::move(args));
}

asio::awaitable<result<std::size_t>> count_enabled_accounts(db::pool& pool, std::int64_t source_id) {
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool.q("SELECT count(*) FROM accounts WHERE directory_source_id = $1 "
                                                 "AND directory_uid IS NOT NULL AND enabled "
                                                 "AND directory_missing_since IS NULL",
                                                 source_id));
  co_return static_cast<std::size_t>(rows.i64(0, 0));
}

asio::awaitable<result<std::set<std::string>>> load_taken_addresses(db::pool& pool, std::int64_t source_id,
                                                                    std::vector<std::string> candidates,
                                                                    std::vector<std::string> pass_uuids) {
  auto args = db::make_params(db::text_array(candidates), source_id, db::text_array(pass_uuids));
  // Joins on unnest, not "= ANY": both lists may hold every user of a full
  // pass, and a join is one index look-up per element.
  POSTA_CO_TRY_ASSIGN(
      auto rows,
      co_await pool.query("WITH mine AS (SELECT a.id, a.address FROM accounts a JOIN unnest($3::text[]) AS u(uid) "
                          "ON a.directory_uid = u.uid WHERE a.directory_source_id = $2), "
                          "owned AS (SELECT address FROM mine UNION ALL SELECT l.address FROM aliases l "
                          "JOIN mine m ON l.directory_account_id = m.id) "
                          "SELECT x.address FROM addresses x JOIN unnest($1::text[]) AS c(address) USING (address) "
                          "WHERE x.address NOT IN (SELECT address FROM owned)",
                          std::move(args)));
  std::set<std::string> out;
  for (int i = 0; i < rows.size(); ++i) out.insert(rows.str(i, 0));
  co_return out;
}

asio::awaitable<result<std::vector<std::string>>> missing_domains(db::pool& pool, std::vector<std::string> domains) {
  auto args = db::make_params(db::text_array(domains));
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool.query("SELECT n FROM unnest($1::text[]) AS n "
                                                     "WHERE NOT EXISTS (SELECT 1 FROM domains d WHERE d.name = n)",
                                                     std::move(args)));
  std::vector<std::string> out;
  for (int i = 0; i < rows.size(); ++i) out.push_back(rows.str(i, 0));
  co_return out;
}

asio::awaitable<result<void>> create_domain(db::connection& c, std::string name, std::string source_name) {
  auto const description = "managed by directory source " + source_name;
  POSTA_CO_TRY(
      co_await c.q("INSERT INTO domains(name, description, source) VALUES ($1, $2, 'directory') "
                   "ON CONFLICT (name) DO NOTHING",
                   name, description));
  co_return result<void>{};
}

asio::awaitable<result<void>> create_accounts(db::connection& c, std::int64_t source_id,
                                              std::span<proto::directory_user const> users) {
  std::vector<std::string> addresses, names, uids, dns, logins, details;
  std::string enabled = "{";
  for (auto const& u : users) {
    addresses.push_back(u.mail);
    names.push_back(u.display_name);
    uids.push_back(u.uuid);
    dns.push_back(u.dn);
    logins.push_back(u.login);
    details.push_back(details_json(u));
    enabled += std::string(enabled.size() > 1 ? "," : "") + (u.state == proto::account_state::enabled ? "t" : "f");
  }
  enabled += "}";
  auto args = db::make_params(db::text_array(addresses), db::text_array(names), enabled, db::text_array(uids),
                              db::text_array(dns), db::text_array(logins), db::text_array(details), source_id);
  // The addresses are claimed in the same statement; one that is taken
  // meanwhile fails the batch (the next pass plans it as a conflict).
  POSTA_CO_TRY_ASSIGN(
      auto made,
      co_await c.query("WITH input AS (SELECT * FROM unnest($1::text[], $2::text[], $3::boolean[], $4::text[], "
                       "$5::text[], $6::text[], $7::text[]) AS t(address, display_name, enabled, uid, dn, login, "
                       "details)), claimed AS (INSERT INTO addresses(address, domain_id, kind) "
                       "SELECT i.address, d.id, 'account' FROM input i JOIN domains d "
                       "ON d.name = split_part(i.address, '@', 2) RETURNING address, domain_id) "
                       "INSERT INTO accounts(address, domain_id, display_name, password_hash, enabled, source, "
                       "directory_source_id, directory_uid, directory_dn, directory_login, directory_attributes) "
                       "SELECT i.address, k.domain_id, i.display_name, NULL, i.enabled, 'directory', $8, i.uid, i.dn, "
                       "i.login, i.details::jsonb FROM input i JOIN claimed k USING (address) RETURNING id, address",
                       std::move(args)));
  if (made.size() != static_cast<int>(users.size()))
    co_return make_error(errc::not_found, "directory sync: a domain of a new account is missing");
  std::vector<std::int64_t> ids;
  std::map<std::string, std::int64_t> id_of;
  for (int i = 0; i < made.size(); ++i) {
    ids.push_back(made.i64(i, 0));
    id_of[made.str(i, 1)] = made.i64(i, 0);
  }
  // INBOX comes with each row (schema/008); the other folders from the setting.
  POSTA_CO_TRY(co_await identity::create_auto_folders(c, ids));
  for (auto const& u : users) {
    if (u.photo && u.photo_sha256) POSTA_CO_TRY(co_await store_photo(c, id_of[u.mail], u));
    if (!u.aliases.empty()) POSTA_CO_TRY(co_await sync_aliases(c, id_of[u.mail], u.mail, {}, u.aliases));
  }
  co_return result<void>{};
}

asio::awaitable<result<void>> update_account(db::connection& c, proto::planned_update const& u) {
  auto const id = u.before.id;
  auto const& after = u.after;
  if (after.mail != u.before.address)
    POSTA_CO_TRY(co_await rename_owner(c, "account", id, u.before.address, after.mail));
  bool const enabled = after.state == proto::account_state::enabled;
  auto const details = details_json(after);
  auto args = db::make_params(id, after.display_name, enabled, after.dn, after.login, details);
  // SECURITY: an account disabled in the directory loses its cached
  // verifier too, so no fallback login can outlive the decision.
  POSTA_CO_TRY(
      co_await c.query("UPDATE accounts SET display_name = $2, enabled = $3, directory_dn = $4, "
                       "directory_login = $5, directory_attributes = $6::jsonb, "
                       "directory_missing_since = NULL, "
                       "directory_verifier = CASE WHEN $3 THEN directory_verifier END, "
                       "updated_at = now() WHERE id = $1",
                       std::move(args)));
  if (u.before.photo_sha256 != after.photo_sha256) POSTA_CO_TRY(co_await store_photo(c, id, after));
  POSTA_CO_TRY(co_await sync_aliases(c, id, after.mail, u.before.aliases, after.aliases));
  co_return result<void>{};
}

asio::awaitable<result<void>> save_cookie(db::connection& c, std::int64_t source_id, std::string cookie) {
  db::param value = cookie.empty() ? db::param() : db::to_param(db::bytes{cookie});
  auto args = db::make_params(source_id, value);
  POSTA_CO_TRY(
      co_await c.query("INSERT INTO directory_sync_state(source_id, cookie) VALUES ($1, $2::bytea) "
                       "ON CONFLICT (source_id) DO UPDATE SET cookie = $2::bytea",
                       std::move(args)));
  co_return result<void>{};
}

asio::awaitable<result<void>> mark_missing(db::connection& c, proto::known_account const& a) {
  POSTA_CO_TRY(
      co_await c.q("UPDATE accounts SET enabled = false, directory_verifier = NULL, "
                   "directory_missing_since = now(), updated_at = now() WHERE id = $1",
                   a.id));
  co_return result<void>{};
}

asio::awaitable<result<std::vector<std::string>>> delete_expired(db::connection& c, std::int64_t source_id, int days) {
  std::vector<std::string> deleted;
  if (days <= 0) co_return deleted;
  POSTA_CO_TRY_ASSIGN(auto rows, co_await c.q("SELECT id, address FROM accounts WHERE directory_source_id = $1 "
                                              "AND directory_missing_since < now() - make_interval(days => $2::int)",
                                              source_id, days));
  for (int i = 0; i < rows.size(); ++i) {
    auto const address = rows.str(i, 1);
    POSTA_CO_TRY_ASSIGN(auto aliases,
                        co_await c.q("SELECT address FROM aliases WHERE directory_account_id = $1", rows.i64(i, 0)));
    for (int j = 0; j < aliases.size(); ++j) POSTA_CO_TRY(co_await drop_alias(c, aliases.str(j, 0)));
    POSTA_CO_TRY(co_await identity::detail::delete_owner(c, address, "account"));
    deleted.push_back(address);
  }
  co_return deleted;
}

}  // namespace posta::directory::store
