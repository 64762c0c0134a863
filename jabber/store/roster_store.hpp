// The rosters of local accounts in PostgreSQL (schema/016_xmpp_roster.sql,
// shared groups of schema/019_xmpp_admin.sql):
// the listed items a client sees (RFC 6121 section 2) and the roster
// version (2.6, XEP-0237) that each change of them bumps. Accounts are
// named by their address, which is their bare JID.
#pragma once

#include "core/db/pool.hpp"
#include "jabber/proto/roster.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace posta::jabber::store {

struct roster {
  std::int64_t version = 0;  // 0: never changed
  std::vector<proto::roster_item> items;
};

// One change of a roster: the item as it now is (subscription "remove"
// when it went) and the version the change made.
struct roster_change {
  std::int64_t version = 0;
  proto::roster_item item;
};

// A contact in shared roster groups (schema/019 a domain's, schema/025 the
// directory's) is listed as 'both' and in those groups, whatever the user's
// own item says: what xmpp_roster_of() lists, applied to an item just
// written. `groups_json`: xmpp_shared_groups()'s JSON array of the group
// names ("[]": not shared).
void overlay_shared_groups(proto::roster_item& item, std::string_view groups_json);

class roster_store {
 public:
  explicit roster_store(db::pool& pool) : pool_(pool) {}
  db::pool& pool() { return pool_; }  // for subscriptions.hpp

  asio::awaitable<result<std::int64_t>> version(std::string const& account);
  // The listed items and their version, from one snapshot.
  asio::awaitable<result<roster>> load(std::string const& account);
  // The item for `contact` as load() would list it (subscription "remove"
  // when it is not listed) and the version, from one snapshot: what a
  // roster push after a change made elsewhere (schema/019) carries.
  asio::awaitable<result<roster_change>> load_item(std::string const& account, std::string const& contact);
  // The same for several contacts (schema/025's notifications), in their
  // order, from one snapshot.
  asio::awaitable<result<std::vector<roster_change>>> load_items(std::string const& account,
                                                                 std::vector<std::string> const& contacts);
  // Adds `contact` or updates its name and groups (2.3, 2.4); its
  // subscription state is kept. SECURITY: a new item only while the user
  // lists fewer than `max_items` (xmpp.max_roster_items, 0: no bound;
  // shared groups not counted), checked on the counter of schema/021 in the
  // same statement, so concurrent sets cannot pass it. `change` nullopt and
  // `full` false: no such account.
  struct set_outcome {
    std::optional<roster_change> change;
    bool full = false;
  };
  asio::awaitable<result<set_outcome>> set_item(std::string const& account, std::string const& contact,
                                                std::string const& name, std::vector<std::string> const& groups,
                                                std::int64_t max_items);
  // Deletes `contact` with all its state (2.5). nullopt: it was not there.
  asio::awaitable<result<std::optional<roster_change>>> remove_item(std::string const& account,
                                                                    std::string const& contact);

 private:
  db::pool& pool_;
};

}  // namespace posta::jabber::store
