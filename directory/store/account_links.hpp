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
// Only those with these directory UUIDs: what an incremental pass touches.
asio::awaitable<result<std::vector<proto::known_account>>> load_known_accounts(db::pool& pool, std::int64_t source_id,
                                                                               std::vector<std::string> uuids);
// Enabled accounts linked to the source and not missing (the planner's
// safety bound, when it has not loaded them all).
asio::awaitable<result<std::size_t>> count_enabled_accounts(db::pool& pool, std::int64_t source_id);

// Which of `candidates` (the addresses a pass would give) belong to anything
// but the source's accounts with `pass_uuids` and their directory aliases:
// a local account, alias or group, another source's account, or an account
// of this source the pass does not touch.
asio::awaitable<result<std::set<std::string>>> load_taken_addresses(db::pool& pool, std::int64_t source_id,
                                                                    std::vector<std::string> candidates,
                                                                    std::vector<std::string> pass_uuids);

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
