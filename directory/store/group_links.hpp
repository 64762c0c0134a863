// The groups a directory source owns (schema/022 groups.directory_*): read
// for the group planner, written in the sync's transactions.
#pragma once

#include "core/db/connection.hpp"
#include "core/db/pool.hpp"
#include "directory/proto/group_plan.hpp"

#include <set>
#include <span>
#include <string>
#include <vector>

namespace posta::directory::store {

asio::awaitable<result<std::vector<proto::known_group>>> load_known_groups(db::pool& pool, std::int64_t source_id);

// The directory DNs of the source's accounts, lowercase.
asio::awaitable<result<std::vector<std::string>>> load_account_dns(db::pool& pool, std::int64_t source_id);

// Which of `candidates` (the lists' addresses) are owned by anything but
// this source's groups.
asio::awaitable<result<std::set<std::string>>> load_addresses_besides_groups(db::pool& pool, std::int64_t source_id,
                                                                             std::vector<std::string> candidates);

// The source's directory groups as the last pass stored them, and storing
// them anew (in the pass's last transaction).
asio::awaitable<result<std::vector<proto::directory_group>>> load_directory_groups(db::pool& pool,
                                                                                   std::int64_t source_id);
asio::awaitable<result<void>> save_directory_groups(db::connection& c, std::int64_t source_id,
                                                    std::vector<proto::directory_group> const& groups);

// New lists, one batch of a pass: three statements however many lists.
asio::awaitable<result<void>> create_groups(db::connection& c, std::int64_t source_id,
                                            std::span<proto::planned_group const> groups);
// The source's groups as XMPP shared roster groups (schema/025), in the
// pass's last transaction: each group's members expanded through nested
// groups as for lists (proto::expand_members) and resolved to the source's
// accounts. Only what differs from the stored state is written, so the
// schema's triggers push only real changes. SECURITY: a group of more than
// `max_members` accounts is not shared (source_config), and is journalled.
asio::awaitable<result<void>> save_shared_groups(db::connection& c, std::int64_t source_id,
                                                 std::vector<proto::directory_group> const& groups, int max_members);

asio::awaitable<result<void>> update_group(db::connection& c, std::int64_t source_id, proto::planned_group const& g);
// False (nothing done) while an alias still targets the group.
asio::awaitable<result<bool>> delete_group(db::connection& c, proto::known_group const& g);

}  // namespace posta::directory::store
