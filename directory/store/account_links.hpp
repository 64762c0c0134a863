// The accounts, aliases and photos a directory source owns, read for the
// sync planner and written by the sync (schema/022). Every write runs in the
// caller's transaction: a pass's batch is committed whole or not at all.
#pragma once

#include "core/db/connection.hpp"
#include "core/db/pool.hpp"
#include "directory/proto/sync_plan.hpp"

#include <set>
#include <span>
#include <string>
#include <vector>

namespace posta::directory::store {

asio::awaitable<result<std::vector<proto::known_account>>> load_known_accounts(db::pool& pool, std::int64_t source_id);

// Addresses in `domains` that belong to anything but this source's accounts
// and their directory aliases.
asio::awaitable<result<std::set<std::string>>> load_taken_addresses(db::pool& pool, std::int64_t source_id,
                                                                    std::vector<std::string> domains);

// Which of `domains` Posta does not have yet.
asio::awaitable<result<std::vector<std::string>>> missing_domains(db::pool& pool, std::vector<std::string> domains);

// `kind`: "account" or "group".
asio::awaitable<result<void>> rename_owner(db::connection& c, std::string kind, std::int64_t id, std::string from,
                                           std::string to);

asio::awaitable<result<void>> create_domain(db::connection& c, std::string name, std::string source_name);
// New accounts, one batch of a pass: a few statements however many users.
asio::awaitable<result<void>> create_accounts(db::connection& c, std::int64_t source_id,
                                              std::span<proto::directory_user const> users);
asio::awaitable<result<void>> update_account(db::connection& c, proto::planned_update const& u);
// "" clears it.
asio::awaitable<result<void>> save_cookie(db::connection& c, std::int64_t source_id, std::string cookie);
asio::awaitable<result<void>> mark_missing(db::connection& c, proto::known_account const& a);

// Accounts gone from the directory for longer than `days`: deleted with
// their directory aliases. Returns the addresses deleted.
asio::awaitable<result<std::vector<std::string>>> delete_expired(db::connection& c, std::int64_t source_id, int days);

}  // namespace posta::directory::store
