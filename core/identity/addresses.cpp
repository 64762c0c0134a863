// The address registry shared by accounts, aliases and groups.
#include "core/identity/addresses.hpp"

#include <boost/json/parse.hpp>

namespace posta::identity::detail {

std::string domain_of(std::string const& address) { return address.substr(address.rfind('@') + 1); }

asio::awaitable<result<std::int64_t>> claim_address(db::connection& c, std::string const& address,
                                                    std::string const& kind) {
  auto domain = domain_of(address);
  POSTA_CO_TRY_ASSIGN(auto d, co_await c.q("SELECT id FROM domains WHERE name = $1", domain));
  if (d.empty()) co_return make_error(errc::not_found, "domain " + domain);
  auto id = d.i64(0, 0);
  POSTA_CO_TRY_ASSIGN(auto claimed,
                      co_await c.q("INSERT INTO addresses(address, domain_id, kind) VALUES ($1, $2, $3) "
                                   "ON CONFLICT (address) DO NOTHING RETURNING kind",
                                   address, id, kind));
  if (claimed.empty()) {
    POSTA_CO_TRY_ASSIGN(auto owner, co_await c.q("SELECT kind FROM addresses WHERE address = $1", address));
    co_return make_error(errc::already_exists,
                         "address " + address + " is already used by " +
                             (owner.empty() ? std::string("another object")
                                            : (owner.text(0, 0) == "group" ? "a " : "an ") + owner.str(0, 0)));
  }
  co_return id;
}

std::vector<std::string> parse_string_array(std::string_view json_text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(json_text, ec);
  if (ec || !v.is_array()) return out;
  for (auto const& item : v.as_array())
    if (item.is_string()) out.emplace_back(item.as_string());
  return out;
}

namespace {

// Message for a deletion refused because aliases still point at `address`.
asio::awaitable<std::string> describe_references(db::connection& c, std::string const& address) {
  auto refs = co_await c.q("SELECT a.address FROM alias_targets t JOIN aliases a ON a.id = t.alias_id "
                           "WHERE t.local_address = $1 ORDER BY 1 LIMIT 5",
                           address);
  std::string names;
  if (refs)
    for (int i = 0; i < refs->size(); ++i) names += (names.empty() ? "" : ", ") + refs->str(i, 0);
  co_return address + " is still a target of alias " + (names.empty() ? std::string("(unknown)") : names);
}

// Fixed statements per kind: table names never come from input.
char const* delete_statement(std::string const& kind) {
  if (kind == "account") return "DELETE FROM accounts WHERE address = $1";
  if (kind == "alias") return "DELETE FROM aliases WHERE address = $1";
  return "DELETE FROM groups WHERE address = $1";
}

}  // namespace

asio::awaitable<result<void>> delete_owner(db::connection& c, std::string address, std::string kind) {
  POSTA_CO_TRY_ASSIGN(auto refs, co_await c.q("SELECT 1 FROM alias_targets WHERE local_address = $1 LIMIT 1", address));
  if (!refs.empty()) co_return make_error(errc::conflict, co_await describe_references(c, address));
  POSTA_CO_TRY_ASSIGN(auto deleted, co_await c.q(delete_statement(kind), address));
  if (deleted.affected() == 0) co_return make_error(errc::not_found, kind + " " + address);
  POSTA_CO_TRY(co_await c.q("DELETE FROM addresses WHERE address = $1", address));
  co_return result<void>{};
}

}  // namespace posta::identity::detail
