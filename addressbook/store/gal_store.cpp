#include "addressbook/store/gal_store.hpp"

#include "core/identity/addresses.hpp"

#include <boost/json/parse.hpp>

namespace posta::addressbook::store {
namespace {

std::map<std::string, std::string> attributes_of(std::string_view json_text) {
  std::map<std::string, std::string> out;
  boost::system::error_code ec;
  auto doc = boost::json::parse(json_text, ec);
  if (ec || !doc.is_object()) return out;
  for (auto const& [key, value] : doc.as_object())
    if (value.is_string()) out.emplace(std::string(key), std::string(value.as_string()));
  return out;
}

constexpr char const* accounts_sql =
    "SELECT a.id, a.address, a.display_name, a.directory_attributes::text, "
    "coalesce((SELECT array_to_json(array_agg(al.address ORDER BY al.address))::text FROM aliases al "
    "JOIN alias_targets t ON t.alias_id = al.id WHERE t.local_address = a.address AND "
    "(SELECT count(*) FROM alias_targets t2 WHERE t2.alias_id = al.id) = 1), '[]'), p.photo "
    "FROM accounts a LEFT JOIN directory_photos p ON p.account_id = a.id "
    "WHERE a.enabled AND NOT a.hide_from_address_book "
    "AND ($2 OR a.domain_id = (SELECT domain_id FROM accounts WHERE id = $1)) ORDER BY a.id LIMIT $3";

constexpr char const* groups_sql =
    "SELECT g.id, g.address, g.name, g.directory_attributes::text, "
    "coalesce((SELECT array_to_json(array_agg(a.address ORDER BY a.address))::text FROM group_members m "
    "JOIN accounts a ON a.id = m.account_id WHERE m.group_id = g.id), '[]') "
    "FROM groups g WHERE ($2 OR g.domain_id = (SELECT domain_id FROM accounts WHERE id = $1)) ORDER BY g.id LIMIT $3";

}  // namespace

asio::awaitable<result<std::vector<proto::gal_entry>>> load_gal(db::pool& pool, std::int64_t account_id,
                                                                bool organisation) {
  POSTA_CO_TRY_ASSIGN(auto accounts, co_await pool.q(accounts_sql, account_id, organisation, max_gal_entries));
  POSTA_CO_TRY_ASSIGN(auto groups, co_await pool.q(groups_sql, account_id, organisation, max_gal_entries));
  std::vector<proto::gal_entry> out;
  for (int i = 0; i < accounts.size(); ++i) {
    proto::gal_entry e;
    e.id = accounts.i64(i, 0);
    e.address = accounts.str(i, 1);
    e.display_name = accounts.str(i, 2);
    e.attributes = attributes_of(accounts.text(i, 3));
    e.aliases = identity::detail::parse_string_array(accounts.text(i, 4));
    if (!accounts.is_null(i, 5)) e.photo = accounts.bytes(i, 5);
    out.push_back(std::move(e));
  }
  for (int i = 0; i < groups.size(); ++i) {
    proto::gal_entry g;
    g.what = proto::gal_entry::kind::group;
    g.id = groups.i64(i, 0);
    g.address = groups.str(i, 1);
    g.display_name = groups.str(i, 2);
    g.attributes = attributes_of(groups.text(i, 3));
    g.members = identity::detail::parse_string_array(groups.text(i, 4));
    out.push_back(std::move(g));
  }
  co_return out;
}

}  // namespace posta::addressbook::store
