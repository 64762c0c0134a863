// Shared steps of accounts, aliases and groups: every local address is
// registered once in `addresses`, so the three kinds never collide.
#pragma once

#include "core/db/connection.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace posta::identity::detail {

// Splits a normalised address; returns the domain part.
std::string domain_of(std::string const& address);

// Registers `address` as `kind` in its domain; returns the domain id.
// Errors: not_found (no such domain), already_exists (used by another kind).
asio::awaitable<result<std::int64_t>> claim_address(db::connection& c, std::string const& address,
                                                    std::string const& kind);

// A JSON array of strings as produced by array_to_json (text column).
std::vector<std::string> parse_string_array(std::string_view json_text);

// Deletes the account, alias or group (`kind`) owning `address`, and the
// address itself; refused (conflict) while an alias still targets it.
// Parameters by value: callers return this awaitable before it runs.
asio::awaitable<result<void>> delete_owner(db::connection& c, std::string address, std::string kind);

}  // namespace posta::identity::detail
