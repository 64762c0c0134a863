// One list/get/delete for every identity entity (domains, accounts, aliases,
// groups): each describes its SELECT and row mapping once, and these
// functions do the normalising, filtering and "not found" the same way.
#pragma once

#include "core/db/pool.hpp"
#include "core/identity/addresses.hpp"
#include "core/identity/names.hpp"

#include <optional>
#include <string>
#include <vector>

namespace posta::identity::detail {

template <class T>
struct entity {
  char const* kind;    // "alias": in messages, and addresses.kind for address-keyed ones
  char const* select;  // "SELECT … FROM aliases a JOIN domains d ON d.id = a.domain_id " (no WHERE)
  char const* key;     // the column a name or address matches: "a.address"
  T (*from_row)(db::rows const& rows, int i);
  result<std::string> (*normalise)(std::string_view) = normalise_address;
};

// SELECT … [where] ORDER BY key. Parameters by value: callers return the
// awaitable before it runs.
template <class T>
asio::awaitable<result<std::vector<T>>> select_entities(db::pool& pool, entity<T> e, std::string where,
                                                        db::params args) {
  std::string sql = std::string(e.select) + where + " ORDER BY " + e.key;
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool.query(sql, std::move(args)));
  std::vector<T> out;
  for (int i = 0; i < rows.size(); ++i) out.push_back(e.from_row(rows, i));
  co_return out;
}

// Every entity, or those of one domain (normalised first; joined as `d`).
// (Arguments are built before each co_await: g++ 12 destroys temporaries
// made inside a co_await's arguments twice; see core/util/async.hpp.)
template <class T>
asio::awaitable<result<std::vector<T>>> list_entities(db::pool& pool, entity<T> e, std::optional<std::string> domain) {
  std::string where;
  db::params args;
  if (domain) {
    POSTA_CO_TRY_ASSIGN(auto d, normalise_domain(*domain));
    where = "WHERE d.name = $1";
    args = db::make_params(d);
  }
  co_return co_await select_entities(pool, e, std::move(where), std::move(args));
}

// One entity by its normalised name or address; errc::not_found names it.
template <class T>
asio::awaitable<result<T>> get_entity(db::pool& pool, entity<T> e, std::string name) {
  POSTA_CO_TRY_ASSIGN(auto normal, e.normalise(name));
  std::string where = std::string("WHERE ") + e.key + " = $1";
  db::params args = db::make_params(normal);
  POSTA_CO_TRY_ASSIGN(auto found, co_await select_entities(pool, e, std::move(where), std::move(args)));
  if (found.empty()) co_return make_error(errc::not_found, std::string(e.kind) + " " + normal);
  co_return std::move(found.front());
}

// Deletes an account, alias or group and its address (see delete_owner).
template <class T>
asio::awaitable<result<void>> delete_entity(db::pool& pool, entity<T> e, std::string address) {
  POSTA_CO_TRY_ASSIGN(auto normal, e.normalise(address));
  std::string kind = e.kind;
  co_return co_await pool.transaction(
      [&](db::connection& c) { return delete_owner(c, normal, kind); });
}

}  // namespace posta::identity::detail
