// Aliases: an address that forwards to local accounts or groups (which must
// exist) and to external addresses.
#include "core/identity/addresses.hpp"
#include "core/identity/entity.hpp"
#include "core/identity/names.hpp"
#include "core/identity/store.hpp"

namespace posta::identity {
namespace {

constexpr std::size_t max_alias_targets = 1000;  // SECURITY: bounds one expansion

// A target's domain is normalised; its local part is kept as given, because
// external servers decide what their local parts mean. Local targets are
// normalised fully in add_target, once we know the domain is ours.
result<std::string> normalise_target(std::string const& target) {
  auto at = target.rfind('@');
  if (at == std::string::npos || at == 0 || at > 64 || target.size() > 254)
    return make_error(errc::invalid_argument, "alias target '" + target + "' is not an address");
  for (unsigned char c : target.substr(0, at))
    if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == ',' || c == '@')
      return make_error(errc::invalid_argument, "alias target '" + target + "' is not an address");
  auto domain = POSTA_TRY(normalise_domain(target.substr(at + 1)));
  return target.substr(0, at) + "@" + domain;
}

asio::awaitable<result<void>> add_target(db::connection& c, std::int64_t alias_id, std::string const& alias,
                                         std::string given) {
  auto domain = detail::domain_of(given);
  POSTA_CO_TRY_ASSIGN(auto local, co_await c.q("SELECT 1 FROM domains WHERE name = $1", domain));
  std::string target = given;
  if (!local.empty()) {
    POSTA_CO_TRY_ASSIGN(target, normalise_address(given));
  }
  if (target == alias) co_return make_error(errc::invalid_argument, "alias " + alias + " cannot target itself");
  db::param local_address;
  if (!local.empty()) {
    POSTA_CO_TRY_ASSIGN(auto exists, co_await c.q("SELECT kind FROM addresses WHERE address = $1", target));
    if (exists.empty()) co_return make_error(errc::not_found, "alias target " + target + " (no such local address)");
    local_address = target;
  }
  POSTA_CO_TRY(co_await c.q("INSERT INTO alias_targets(alias_id, target, local_address) VALUES ($1, $2, $3) "
                            "ON CONFLICT DO NOTHING",
                            alias_id, target, local_address));
  co_return result<void>{};
}

alias_info alias_from(db::rows const& rows, int i) {
  return {rows.str(i, 0), rows.str(i, 1), detail::parse_string_array(rows.text(i, 2))};
}

constexpr detail::entity<alias_info> alias_entity{
    "alias",
    "SELECT a.address, d.name, coalesce(array_to_json(array("
    "SELECT t.target FROM alias_targets t WHERE t.alias_id = a.id ORDER BY t.target))::text, '[]') "
    "FROM aliases a JOIN domains d ON d.id = a.domain_id ",
    "a.address", alias_from};

}  // namespace

asio::awaitable<result<alias_info>> store::create_alias(std::string address, std::vector<std::string> targets) {
  POSTA_CO_TRY_ASSIGN(auto normal, normalise_address(address));
  if (targets.empty()) co_return make_error(errc::invalid_argument, "alias " + normal + " needs at least one target");
  if (targets.size() > max_alias_targets) co_return make_error(errc::limit_exceeded, "more than 1000 alias targets");
  std::vector<std::string> normal_targets;
  for (auto const& t : targets) {
    POSTA_CO_TRY_ASSIGN(auto n, normalise_target(t));
    normal_targets.push_back(std::move(n));
  }
  POSTA_CO_TRY(co_await pool_.transaction([&](db::connection& c) -> asio::awaitable<result<void>> {
    POSTA_CO_TRY_ASSIGN(auto domain_id, co_await detail::claim_address(c, normal, "alias"));
    POSTA_CO_TRY_ASSIGN(auto row, co_await c.q("INSERT INTO aliases(address, domain_id) VALUES ($1, $2) RETURNING id",
                                               normal, domain_id));
    for (auto const& t : normal_targets) POSTA_CO_TRY(co_await add_target(c, row.i64(0, 0), normal, t));
    co_return result<void>{};
  }));
  co_return co_await get_alias(normal);
}

asio::awaitable<result<std::vector<alias_info>>> store::list_aliases(std::optional<std::string> domain) {
  return detail::list_entities(pool_, alias_entity, std::move(domain));
}

asio::awaitable<result<alias_info>> store::get_alias(std::string address) {
  return detail::get_entity(pool_, alias_entity, std::move(address));
}

asio::awaitable<result<void>> store::delete_alias(std::string address) {
  return detail::delete_entity(pool_, alias_entity, std::move(address));
}

}  // namespace posta::identity
