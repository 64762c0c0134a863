// Groups: an address whose mail reaches every member account; membership is
// also what directory groups map to.
#include "core/identity/addresses.hpp"
#include "core/identity/entity.hpp"
#include "core/identity/names.hpp"
#include "core/identity/store.hpp"

namespace posta::identity {
namespace {

group_info group_from(db::rows const& rows, int i) {
  return {rows.str(i, 0), rows.str(i, 1), rows.str(i, 2), detail::parse_string_array(rows.text(i, 3))};
}

constexpr detail::entity<group_info> group_entity{
    "group",
    "SELECT g.address, d.name, g.name, coalesce(array_to_json(array("
    "SELECT a.address FROM group_members m JOIN accounts a ON a.id = m.account_id WHERE m.group_id = g.id "
    "ORDER BY a.address))::text, '[]') "
    "FROM groups g JOIN domains d ON d.id = g.domain_id ",
    "g.address", group_from};

}  // namespace

asio::awaitable<result<group_info>> store::create_group(std::string address, std::string name) {
  POSTA_CO_TRY_ASSIGN(auto normal, normalise_address(address));
  if (name.size() > 256) co_return make_error(errc::invalid_argument, "group name longer than 256 characters");
  POSTA_CO_TRY(co_await pool_.transaction([&](db::connection& c) -> asio::awaitable<result<void>> {
    POSTA_CO_TRY_ASSIGN(auto domain_id, co_await detail::claim_address(c, normal, "group"));
    POSTA_CO_TRY(co_await c.q("INSERT INTO groups(address, domain_id, name) VALUES ($1, $2, $3)", normal, domain_id,
                              name));
    co_return result<void>{};
  }));
  co_return co_await get_group(normal);
}

asio::awaitable<result<std::vector<group_info>>> store::list_groups(std::optional<std::string> domain) {
  return detail::list_entities(pool_, group_entity, std::move(domain));
}

asio::awaitable<result<group_info>> store::get_group(std::string address) {
  return detail::get_entity(pool_, group_entity, std::move(address));
}

asio::awaitable<result<void>> store::delete_group(std::string address) {
  return detail::delete_entity(pool_, group_entity, std::move(address));
}

asio::awaitable<result<group_info>> store::add_group_member(std::string group, std::string member) {
  POSTA_CO_TRY_ASSIGN(auto g, normalise_address(group));
  POSTA_CO_TRY_ASSIGN(auto m, normalise_address(member));
  POSTA_CO_TRY_ASSIGN(auto ids, co_await pool_.q("SELECT (SELECT id FROM groups WHERE address = $1), "
                                                 "(SELECT id FROM accounts WHERE address = $2)",
                                                 g, m));
  if (ids.is_null(0, 0)) co_return make_error(errc::not_found, "group " + g);
  if (ids.is_null(0, 1)) co_return make_error(errc::not_found, "account " + m);
  POSTA_CO_TRY(co_await pool_.q("INSERT INTO group_members(group_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                                ids.i64(0, 0), ids.i64(0, 1)));
  co_return co_await get_group(g);
}

asio::awaitable<result<group_info>> store::remove_group_member(std::string group, std::string member) {
  POSTA_CO_TRY_ASSIGN(auto g, normalise_address(group));
  POSTA_CO_TRY_ASSIGN(auto m, normalise_address(member));
  POSTA_CO_TRY_ASSIGN(auto deleted,
                      co_await pool_.q("DELETE FROM group_members WHERE group_id = (SELECT id FROM groups WHERE address = $1) "
                                       "AND account_id = (SELECT id FROM accounts WHERE address = $2)",
                                       g, m));
  if (deleted.affected() == 0) co_return make_error(errc::not_found, m + " is not a member of group " + g);
  co_return co_await get_group(g);
}

}  // namespace posta::identity
