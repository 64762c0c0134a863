// XEP-0054 vCards of local accounts: the identity fields read from accounts
// (and later from the directory's attributes) together with the user-owned
// NICKNAME and PHOTO of schema/018_xmpp_account_data.sql, in one query.
#pragma once

#include "core/db/pool.hpp"
#include "jabber/proto/vcard.hpp"

#include <optional>
#include <string>

namespace posta::jabber::store {

// nullopt: no such account. The directory issue adds its attributes (phone,
// title, department) to this query and to proto::vcard, nowhere else.
asio::awaitable<result<std::optional<proto::vcard>>> load_vcard(db::pool& pool, std::string const& account);

// Replaces the user-owned fields (XEP-0054 3.2: a set replaces the vCard).
// False: no such account. DURABILITY: committed when it returns true.
asio::awaitable<result<bool>> save_vcard(db::pool& pool, std::string const& account,
                                         proto::vcard_user_fields const& fields);

}  // namespace posta::jabber::store
