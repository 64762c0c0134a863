// Domains: creating one creates the mail domain and the XMPP host.
#include "core/identity/entity.hpp"
#include "core/identity/names.hpp"
#include "core/identity/store.hpp"
#include "core/journal/journal.hpp"

namespace posta::identity {
namespace {

domain_info domain_from(db::rows const& r, int i) {
  domain_info d{r.str(i, 0), r.str(i, 1), r.opt(i, 2), r.str(i, 3), r.i64(i, 4), r.str(i, 5), std::nullopt};
  if (!r.is_null(i, 6)) d.dkim = dkim_public_key{r.str(i, 6), r.str(i, 7), r.str(i, 8)};
  d.shared_roster = r.boolean(i, 9);
  return d;
}

constexpr detail::entity<domain_info> domain_entity{
    "domain",
    "SELECT d.name, d.description, d.catch_all, d.source, "
    "(SELECT count(*) FROM accounts a WHERE a.domain_id = d.id), "
    "to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), k.selector, k.public_key, "
    "to_char(k.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), d.xmpp_shared_roster "
    "FROM domains d LEFT JOIN dkim_keys k ON k.domain_id = d.id AND k.retired_at IS NULL ",
    "d.name", domain_from, normalise_domain};

}  // namespace

asio::awaitable<result<domain_info>> store::create_domain(std::string name, std::string description,
                                                         dkim_keys const* dkim) {
  POSTA_CO_TRY_ASSIGN(auto normal, normalise_domain(name));
  if (description.size() > 1024) co_return make_error(errc::invalid_argument, "description longer than 1024 characters");
  std::optional<util::rsa_key_pair> pair;  // made first: the CPU pool's work stays outside the transaction
  if (dkim) {
    POSTA_CO_TRY_ASSIGN(auto made, co_await dkim->generate());
    pair.emplace(std::move(made));
  }
  std::string selector;
  auto inserted = co_await pool_.transaction([&](db::connection& c) -> asio::awaitable<result<void>> {
    POSTA_CO_TRY_ASSIGN(auto row, co_await c.q("INSERT INTO domains(name, description) VALUES ($1, $2) RETURNING id",
                                               normal, description));
    if (pair) {
      POSTA_CO_TRY_ASSIGN(selector, co_await dkim->add_key(c, row.i64(0, 0), normal, *pair));
    }
    co_return result<void>{};
  });
  if (!inserted && inserted.error().code == errc::already_exists)
    co_return make_error(errc::already_exists, "domain " + normal);
  if (!inserted) co_return inserted.error();
  if (pair)
    journal::record(journal::level::info, "dkim", "DKIM key created: publish its record",
                    {{"domain", normal}, {"selector", selector}});
  co_return co_await get_domain(normal);
}

asio::awaitable<result<std::vector<domain_info>>> store::list_domains() {
  return detail::list_entities(pool_, domain_entity, std::nullopt);
}

asio::awaitable<result<domain_info>> store::get_domain(std::string name) {
  return detail::get_entity(pool_, domain_entity, std::move(name));
}

asio::awaitable<result<domain_info>> store::update_domain(std::string name, std::optional<std::string> description,
                                                          std::optional<std::string> catch_all,
                                                          std::optional<bool> shared_roster) {
  POSTA_CO_TRY_ASSIGN(auto normal, normalise_domain(name));
  if (description && description->size() > 1024)
    co_return make_error(errc::invalid_argument, "description longer than 1024 characters");
  db::param target;  // NULL: unchanged
  if (catch_all && !catch_all->empty()) {
    POSTA_CO_TRY_ASSIGN(auto address, normalise_address(*catch_all));
    if (address.substr(address.rfind('@') + 1) != normal)
      co_return make_error(errc::invalid_argument, "catch-all " + address + " must be an address of " + normal);
    POSTA_CO_TRY_ASSIGN(auto exists, co_await pool_.q("SELECT 1 FROM addresses WHERE address = $1", address));
    if (exists.empty()) co_return make_error(errc::not_found, "catch-all address " + address);
    target = address;
  } else if (catch_all) {
    target = std::string();  // "" clears it
  }
  POSTA_CO_TRY_ASSIGN(auto updated, co_await pool_.q("UPDATE domains SET description = coalesce($2, description), "
                                                     "catch_all = CASE WHEN $3::text IS NULL THEN catch_all "
                                                     "ELSE nullif($3, '') END, "
                                                     "xmpp_shared_roster = coalesce($4::boolean, xmpp_shared_roster) "
                                                     "WHERE name = $1",
                                                     normal, description, target, shared_roster));
  if (updated.affected() == 0) co_return make_error(errc::not_found, "domain " + normal);
  co_return co_await get_domain(normal);
}

asio::awaitable<result<void>> store::delete_domain(std::string name) {
  POSTA_CO_TRY_ASSIGN(auto normal, normalise_domain(name));
  auto deleted = co_await pool_.q("DELETE FROM domains WHERE name = $1", normal);
  if (!deleted && deleted.error().code == errc::conflict)
    co_return make_error(errc::conflict, "domain " + normal + " still has accounts, aliases or groups");
  if (!deleted) co_return deleted.error();
  if (deleted->affected() == 0) co_return make_error(errc::not_found, "domain " + normal);
  co_return result<void>{};
}

}  // namespace posta::identity
