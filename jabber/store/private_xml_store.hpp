// XEP-0049 private XML of local accounts (schema/018_xmpp_account_data.sql):
// one fragment per namespace and account.
#pragma once

#include "core/db/pool.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace posta::jabber::store {

// nullopt: nothing stored under `ns`.
asio::awaitable<result<std::optional<std::string>>> load_private_xml(db::pool& pool, std::string const& account,
                                                                     std::string const& ns);

struct private_xml_limits {
  std::int64_t max_namespaces = 0;  // per account
  std::int64_t max_bytes = 0;       // all fragments of the account together
};

enum class private_xml_outcome { stored, full, no_account };

// Replaces the fragment of each namespace in `fragments`, in one transaction.
// DURABILITY: `stored` means committed. SECURITY: the account's namespaces
// and bytes stay within `limits` (checked in the transaction, against the
// rows as they will be; two racing sets of one account may pass them once).
asio::awaitable<result<private_xml_outcome>> store_private_xml(db::pool& pool, std::string const& account,
                                                               std::map<std::string, std::string> const& fragments,
                                                               private_xml_limits const& limits);

}  // namespace posta::jabber::store
