// Subscription stanzas applied to both rosters in one transaction (RFC 6121
// 3.1-3.3, Appendix A). Lock order: the roster version rows of both
// accounts by id, so two users subscribing to each other at once wait for
// each other instead of deadlocking.
#include "jabber/store/subscriptions.hpp"

#include "core/db/arrays.hpp"

#include <optional>

namespace posta::jabber::store {
namespace {

using proto::subscription_state;

struct side {
  std::int64_t account_id = 0;
  std::string account;
  std::string contact;
  subscription_state state;
  bool listed = false;
  bool exists = false;
  std::string name;
};

asio::awaitable<result<std::vector<std::pair<std::string, std::int64_t>>>> lock_accounts(
    db::connection& c, std::vector<std::string> const& addresses) {
  auto const list = db::text_array(addresses);
  POSTA_CO_TRY(
      co_await c.q("INSERT INTO xmpp_roster_versions(account_id) SELECT id FROM accounts "
                   "WHERE address = ANY($1::text[]) ORDER BY id ON CONFLICT DO NOTHING",
                   list));
  POSTA_CO_TRY_ASSIGN(auto rows, co_await c.q("SELECT a.address, v.account_id FROM xmpp_roster_versions v "
                                              "JOIN accounts a ON a.id = v.account_id "
                                              "WHERE a.address = ANY($1::text[]) ORDER BY v.account_id FOR UPDATE OF v",
                                              list));
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (int r = 0; r < rows.size(); ++r) out.emplace_back(rows.str(r, 0), rows.i64(r, 1));
  co_return out;
}

asio::awaitable<result<side>> read_side(db::connection& c, std::int64_t account_id, std::string account,
                                        std::string contact) {
  side s{account_id, std::move(account), std::move(contact), {}, false, false, {}};
  POSTA_CO_TRY_ASSIGN(auto rows,
                      co_await c.q("SELECT subscription, ask, pending_in IS NOT NULL, approved, listed, name "
                                   "FROM xmpp_roster_items WHERE account_id = $1 AND contact = $2",
                                   account_id, s.contact));
  if (rows.empty()) co_return s;
  s.exists = true;
  s.state = {proto::parse_subscription(rows.text(0, 0)).value_or(proto::subscription::none), rows.boolean(0, 1),
             rows.boolean(0, 2), rows.boolean(0, 3)};
  s.listed = rows.boolean(0, 4);
  s.name = rows.str(0, 5);
  co_return s;
}

// Writes `next` (and `listed`); a visible change bumps the version and is
// returned for a push. `pending_in` is the stanza kept when one is pending.
asio::awaitable<result<std::optional<roster_change>>> write_side(db::connection& c, side const& before,
                                                                 subscription_state const& next, bool listed,
                                                                 std::string const& pending_in) {
  if (next == before.state && listed == before.listed) co_return std::nullopt;
  if (!listed && !proto::has_state(next)) {
    POSTA_CO_TRY(co_await c.q("DELETE FROM xmpp_roster_items WHERE account_id = $1 AND contact = $2", before.account_id,
                              before.contact));
  } else {
    // Named, not a ?: inside the co_await (GCC 12 frees its temporaries twice).
    db::param kept;
    if (next.pending_in) kept = pending_in;
    std::string const sub(proto::subscription_name(next.sub));
    POSTA_CO_TRY(co_await c.q(
        "INSERT INTO xmpp_roster_items(account_id, contact, subscription, ask, pending_in, approved, listed) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (account_id, contact) DO UPDATE SET "
        "subscription = EXCLUDED.subscription, ask = EXCLUDED.ask, approved = EXCLUDED.approved, "
        "listed = EXCLUDED.listed, "
        "pending_in = CASE WHEN EXCLUDED.pending_in IS NULL OR xmpp_roster_items.pending_in IS NULL "
        "  THEN EXCLUDED.pending_in ELSE xmpp_roster_items.pending_in END",
        before.account_id, before.contact, sub, next.pending_out, kept, next.approved, listed));
  }
  bool const visible = (listed || before.listed) && (listed != before.listed || next.sub != before.state.sub ||
                                                     next.pending_out != before.state.pending_out);
  if (!visible) co_return std::nullopt;
  POSTA_CO_TRY_ASSIGN(auto v, co_await c.q("UPDATE xmpp_roster_versions SET version = version + 1 "
                                           "WHERE account_id = $1 RETURNING version",
                                           before.account_id));
  roster_change change{v.i64(0, 0), {before.contact, before.name, {}, next.sub, next.pending_out}};
  if (!listed) change.item.sub = proto::subscription::remove;
  POSTA_CO_TRY_ASSIGN(auto groups, co_await c.q("SELECT g FROM xmpp_roster_items, unnest(groups) WITH ORDINALITY "
                                                "AS t(g, n) WHERE account_id = $1 AND contact = $2 ORDER BY n",
                                                before.account_id, before.contact));
  for (int r = 0; r < groups.size(); ++r) change.item.groups.push_back(groups.str(r, 0));
  POSTA_CO_TRY_ASSIGN(auto shared,
                      co_await c.q("SELECT xmpp_shared_groups($1, $2)", before.account_id, before.contact));
  overlay_shared_groups(change.item, shared.text(0, 0));
  co_return change;
}

// RFC 6121 3.1.2, 3.1.5: a subscribe sent, or a subscription granted, lists
// the contact in the sender's roster.
bool lists_contact(proto::subscription_stanza what, proto::outbound_step const& step) {
  using enum proto::subscription_stanza;
  return what == subscribe || (what == subscribed && step.route);
}

}  // namespace

asio::awaitable<result<subscription_outcome>> send_subscription(db::pool& pool, std::string const& user,
                                                                std::string const& contact,
                                                                proto::subscription_stanza what,
                                                                std::string const& stanza) {
  co_return co_await pool.transaction([&](db::connection& c) -> asio::awaitable<result<subscription_outcome>> {
    subscription_outcome out;
    std::vector<std::string> const both{user, contact};
    POSTA_CO_TRY_ASSIGN(auto ids, co_await lock_accounts(c, both));
    std::int64_t user_id = 0, contact_id = 0;
    for (auto const& [address, id] : ids) (address == user ? user_id : contact_id) = id;
    if (user_id == 0) co_return out;
    out.contact_is_local = contact_id != 0 && contact != user;
    POSTA_CO_TRY_ASSIGN(auto mine, co_await read_side(c, user_id, user, contact));
    auto const step = proto::on_outbound(mine.state, what);
    bool const listed = mine.listed || lists_contact(what, step);
    POSTA_CO_TRY_ASSIGN(auto my_change, co_await write_side(c, mine, step.next, listed, {}));
    if (my_change) out.pushes.push_back({user, *my_change});
    if (!step.route || !out.contact_is_local) co_return out;
    POSTA_CO_TRY_ASSIGN(auto theirs, co_await read_side(c, contact_id, contact, user));
    auto const in = proto::on_inbound(theirs.state, what);
    POSTA_CO_TRY_ASSIGN(auto their_change, co_await write_side(c, theirs, in.next, theirs.listed, stanza));
    if (their_change) out.pushes.push_back({contact, *their_change});
    out.deliver = in.deliver;
    out.auto_subscribed = in.auto_subscribed;
    if (!in.auto_subscribed) co_return out;
    // The contact's server granted it itself: the user's side receives 'subscribed' (A.3.3).
    auto const answer = proto::on_inbound(step.next, proto::subscription_stanza::subscribed);
    side now = mine;
    now.state = step.next;
    now.listed = listed;
    POSTA_CO_TRY_ASSIGN(auto answer_change, co_await write_side(c, now, answer.next, listed, {}));
    if (answer_change) out.pushes.push_back({user, *answer_change});
    out.answer_delivered = answer.deliver;
    co_return out;
  });
}

asio::awaitable<result<std::vector<pending_request>>> pending_requests(db::pool& pool, std::string const& account) {
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool.q("SELECT r.contact, r.pending_in FROM xmpp_roster_items r "
                                                 "JOIN accounts a ON a.id = r.account_id "
                                                 "WHERE a.address = $1 AND r.pending_in IS NOT NULL ORDER BY r.contact",
                                                 account));
  std::vector<pending_request> out;
  for (int r = 0; r < rows.size(); ++r) out.push_back({rows.str(r, 0), rows.str(r, 1)});
  co_return out;
}

asio::awaitable<result<std::vector<contact_state>>> subscribed_contacts(db::pool& pool, std::string const& account) {
  // A shared roster group (schema/019, 025) counts as 'both' with each member.
  POSTA_CO_TRY_ASSIGN(auto rows,
                      co_await pool.q("SELECT DISTINCT ON (contact) contact, subscription FROM ("
                                      "  SELECT r.contact, r.subscription, 1 AS rank FROM xmpp_roster_items r "
                                      "  JOIN accounts a ON a.id = r.account_id "
                                      "  WHERE a.address = $1 AND r.subscription <> 'none' "
                                      "  UNION ALL SELECT s.contact, 'both', 0 FROM accounts a, "
                                      "  xmpp_shared_contacts(a.id) s WHERE a.address = $1) c ORDER BY contact, rank",
                                      account));
  std::vector<contact_state> out;
  for (int r = 0; r < rows.size(); ++r)
    out.push_back({rows.str(r, 0), proto::parse_subscription(rows.text(r, 1)).value_or(proto::subscription::none)});
  co_return out;
}

}  // namespace posta::jabber::store
