// Accounts: one account is one mailbox and one Jabber ID.
#include "core/identity/addresses.hpp"
#include "core/identity/auto_folders.hpp"
#include "core/identity/entity.hpp"
#include "core/identity/names.hpp"
#include "core/identity/store.hpp"

namespace posta::identity {
namespace {

account_info account_from(db::rows const& r, int i) {
  return account_info{r.i64(i, 0), r.str(i, 1), r.str(i, 2), r.str(i, 3), r.boolean(i, 4), r.i64(i, 5),
                      r.i64(i, 6), r.str(i, 7), r.str(i, 8), r.i64(i, 9), r.i64(i, 10), std::nullopt, std::nullopt, std::nullopt};
}

constexpr detail::entity<account_info> account_entity{
    "account",
    "SELECT a.id, a.address, d.name, a.display_name, a.enabled, a.quota_bytes, a.used_bytes, a.source, "
    "to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), a.quota_messages, a.used_messages "
    "FROM accounts a JOIN domains d ON d.id = a.domain_id ",
    "a.address", account_from};

result<void> check_display_name(std::string const& name) {
  if (name.size() > 256) return make_error(errc::invalid_argument, "display name longer than 256 characters");
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f) return make_error(errc::invalid_argument, "display name contains control characters");
  return {};
}

result<void> check_quota(std::int64_t quota) {
  if (quota < 0) return make_error(errc::invalid_argument, "quota must not be negative");
  return {};
}

result<void> check_password(std::string const& password) {
  // SECURITY: a bound on what we hash; an empty password would lock nobody out.
  if (password.empty()) return make_error(errc::invalid_argument, "password must not be empty");
  if (password.size() > 1024) return make_error(errc::invalid_argument, "password longer than 1024 bytes");
  return {};
}

}  // namespace

asio::awaitable<result<account_info>> store::create_account(new_account spec) {
  POSTA_CO_TRY_ASSIGN(auto address, normalise_address(spec.address));
  POSTA_CO_TRY(check_display_name(spec.display_name));
  POSTA_CO_TRY(check_quota(spec.quota_bytes));
  POSTA_CO_TRY(check_quota(spec.quota_messages));
  POSTA_CO_TRY(check_password(spec.password));
  POSTA_CO_TRY_ASSIGN(auto secrets, co_await derive_password_secrets(spec.password));
  POSTA_CO_TRY(co_await pool_.transaction([&](db::connection& c) -> asio::awaitable<result<void>> {
    POSTA_CO_TRY_ASSIGN(auto domain_id, co_await detail::claim_address(c, address, "account"));
    POSTA_CO_TRY_ASSIGN(auto created,
                        co_await c.q("INSERT INTO accounts(address, domain_id, display_name, password_hash, scram, "
                                     "enabled, quota_bytes, quota_messages) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8) "
                                     "RETURNING id",
                                     address, domain_id, spec.display_name, secrets.password_hash, secrets.scram_json,
                                     spec.enabled, spec.quota_bytes, spec.quota_messages));
    // INBOX comes with the row (schema/008); the other folders from the setting.
    co_return co_await create_auto_folders(c, created.i64(0, 0));
  }));
  co_return co_await get_account(address);
}

asio::awaitable<result<std::vector<account_info>>> store::list_accounts(std::optional<std::string> domain) {
  return detail::list_entities(pool_, account_entity, std::move(domain));
}

// The account with its mailboxes and their message counts (one grouped scan
// of the account's messages: an administrator's look, not a hot path).
asio::awaitable<result<account_info>> store::get_account(std::string address) {
  POSTA_CO_TRY_ASSIGN(auto account, co_await detail::get_entity(pool_, account_entity, std::move(address)));
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool_.q("SELECT b.name, b.special_use, count(m.id), coalesce(sum(m.size), 0) "
                                                  "FROM mailboxes b LEFT JOIN messages m ON m.mailbox_id = b.id "
                                                  "WHERE b.account_id = $1 AND NOT b.noselect "
                                                  "GROUP BY b.id ORDER BY b.name <> 'INBOX', b.name",
                                                  account.id));
  account.mailboxes.emplace();
  for (int i = 0; i < rows.size(); ++i)
    account.mailboxes->push_back({rows.str(i, 0), rows.opt(i, 1), rows.i64(i, 2), rows.i64(i, 3)});
  if (account.source == "directory") {
    POSTA_CO_TRY_ASSIGN(auto d, co_await pool_.q("SELECT json_build_object('source', s.name, 'dn', a.directory_dn, "
                                                 "'login', a.directory_login, 'missing_since', "
                                                 "to_char(a.directory_missing_since AT TIME ZONE 'UTC', "
                                                 "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))::text, "
                                                 "a.directory_attributes::text FROM accounts a "
                                                 "LEFT JOIN directory_sources s ON s.id = a.directory_source_id "
                                                 "WHERE a.id = $1",
                                                 account.id));
    if (!d.empty()) {
      account.directory_json = d.str(0, 0);
      account.directory_attributes_json = d.str(0, 1);
    }
  }
  co_return account;
}

asio::awaitable<result<account_info>> store::update_account(std::string address, account_update update) {
  POSTA_CO_TRY_ASSIGN(auto normal, normalise_address(address));
  if (update.display_name) POSTA_CO_TRY(check_display_name(*update.display_name));
  if (update.quota_bytes) POSTA_CO_TRY(check_quota(*update.quota_bytes));
  if (update.quota_messages) POSTA_CO_TRY(check_quota(*update.quota_messages));
  std::optional<password_secrets> secrets;
  if (update.password) {
    POSTA_CO_TRY(check_password(*update.password));
    POSTA_CO_TRY_ASSIGN(secrets, co_await derive_password_secrets(*update.password));
  }
  // NULL parameters leave a column as it is. (Built before the co_await:
  // g++ 12 destroys temporaries made inside a co_await's arguments twice.)
  db::param hash = secrets ? db::param(secrets->password_hash) : db::param();
  db::param scram = secrets ? db::param(secrets->scram_json) : db::param();
  auto args = db::make_params(normal, update.display_name, update.quota_bytes, update.enabled, hash, scram,
                              update.quota_messages);
  POSTA_CO_TRY_ASSIGN(
      auto updated,
      co_await pool_.query("UPDATE accounts SET display_name = coalesce($2, display_name), "
                           "quota_bytes = coalesce($3::bigint, quota_bytes), enabled = coalesce($4::boolean, enabled), "
                           "password_hash = coalesce($5, password_hash), scram = coalesce($6::jsonb, scram), "
                           "quota_messages = coalesce($7::bigint, quota_messages), "
                           "updated_at = now() WHERE address = $1",
                           std::move(args)));
  if (updated.affected() == 0) co_return make_error(errc::not_found, "account " + normal);
  co_return co_await get_account(normal);
}

asio::awaitable<result<void>> store::delete_account(std::string address) {
  return detail::delete_entity(pool_, account_entity, std::move(address));
}

asio::awaitable<result<std::optional<credentials>>> store::find_credentials(std::string address) {
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool_.q("SELECT id, address, enabled, source, password_hash, scram::text "
                                                  "FROM accounts WHERE address = $1",
                                                  address));
  if (rows.empty()) co_return std::optional<credentials>{};
  co_return credentials{rows.i64(0, 0), rows.str(0, 1), rows.boolean(0, 2), rows.str(0, 3), rows.opt(0, 4),
                        rows.str(0, 5)};
}

}  // namespace posta::identity
