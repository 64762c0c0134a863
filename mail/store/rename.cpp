// RENAME (RFC 3501 6.3.5, RFC 9051 6.3.6): a mailbox and its children take
// the new name (same ids, same UIDVALIDITY, same UIDs); INBOX instead gives
// its messages to a new mailbox and stays, empty.
#include "core/db/arrays.hpp"

#include <algorithm>
#include "mail/store/detail.hpp"
#include "mail/store/mailbox_store.hpp"

namespace posta::mail::store {
namespace {

// INBOX's messages move (UPDATE: no reference or usage changes) to a new
// mailbox that continues its UIDs; INBOX records them as expunged.
asio::awaitable<result<void>> rename_inbox(db::connection& c, std::int64_t account, std::string const& to) {
  POSTA_CO_TRY_ASSIGN(auto inbox, co_await detail::lock_by_name(c, account, "INBOX"));
  if (!inbox) co_return make_error(store_errc::nonexistent, "INBOX");
  POSTA_CO_TRY_ASSIGN(auto state, co_await c.q("SELECT uidnext, highestmodseq FROM mailboxes WHERE id = $1", inbox->id));
  auto modseq = state.i64(0, 1) + 1;
  POSTA_CO_TRY_ASSIGN(auto created, co_await c.q("INSERT INTO mailboxes(account_id, name, uidnext, highestmodseq, keywords) "
                                                 "SELECT account_id, $2, uidnext, $3, keywords FROM mailboxes WHERE id = $1 "
                                                 "RETURNING id",
                                                 inbox->id, to, modseq));
  auto new_id = created.i64(0, 0);
  POSTA_CO_TRY_ASSIGN(auto moved, co_await c.q("UPDATE messages SET mailbox_id = $2 WHERE mailbox_id = $1 RETURNING uid",
                                               inbox->id, new_id));
  std::vector<uid_t> uids;
  for (int i = 0; i < moved.size(); ++i) uids.push_back(static_cast<uid_t>(moved.i64(i, 0)));
  std::sort(uids.begin(), uids.end());
  if (!uids.empty()) POSTA_CO_TRY(co_await detail::record_expunge(c, inbox->id, modseq, uids));
  std::set<std::int64_t> ids{inbox->id, new_id};
  co_return co_await detail::notify(c, ids);
}

// The mailbox and its children renamed in place, subscriptions with them.
asio::awaitable<result<void>> rename_tree(db::connection& c, std::int64_t account, std::string const& from,
                                          std::string const& to) {
  POSTA_CO_TRY_ASSIGN(auto tree, co_await c.q("SELECT id, name FROM mailboxes WHERE account_id = $1 AND (name = $2 OR "
                                              "left(name, length($2) + 1) = $2 || '/') ORDER BY id FOR UPDATE",
                                              account, from));
  std::vector<std::string> targets;
  std::set<std::int64_t> ids;
  bool found = false;
  for (int i = 0; i < tree.size(); ++i) {
    auto name = tree.str(i, 1);
    found = found || name == from;
    targets.push_back(to + name.substr(from.size()));
    ids.insert(tree.i64(i, 0));
  }
  if (!found) co_return make_error(store_errc::nonexistent, from);
  POSTA_CO_TRY_ASSIGN(auto taken, co_await c.q("SELECT name FROM mailboxes WHERE account_id = $1 AND name = ANY($2::text[])",
                                               account, db::text_array(targets)));
  if (!taken.empty()) co_return make_error(store_errc::already_exists, taken.str(0, 0));
  std::vector<std::int64_t> list(ids.begin(), ids.end());
  POSTA_CO_TRY(co_await c.q("UPDATE mailboxes SET name = $3 || substr(name, length($2) + 1) WHERE id = ANY($1::bigint[])",
                            db::int_array(list), from, to));
  POSTA_CO_TRY(co_await detail::create_superiors(c, account, to));
  POSTA_CO_TRY(co_await c.q("INSERT INTO subscriptions(account_id, name) SELECT account_id, $3 || substr(name, length($2) + 1) "
                            "FROM subscriptions WHERE account_id = $1 AND (name = $2 OR left(name, length($2) + 1) = $2 || '/') "
                            "ON CONFLICT DO NOTHING",
                            account, from, to));
  POSTA_CO_TRY(co_await c.q("DELETE FROM subscriptions WHERE account_id = $1 AND (name = $2 OR "
                            "left(name, length($2) + 1) = $2 || '/')",
                            account, from));
  co_return co_await detail::notify(c, ids);
}

}  // namespace

asio::awaitable<result<mailbox_info>> mailbox_store::rename(std::int64_t account_id, std::string from, std::string to) {
  POSTA_CO_TRY_ASSIGN(auto old_name, normalise_name(from, limits_.names));
  POSTA_CO_TRY_ASSIGN(auto new_name, normalise_name(to, limits_.names));
  if (old_name == new_name) co_return make_error(store_errc::already_exists, new_name);
  if (is_inbox(new_name)) co_return make_error(store_errc::already_exists, "INBOX");
  if (is_below(new_name, old_name)) co_return make_error(store_errc::cannot, "a mailbox cannot move below itself");
  // DURABILITY: one transaction; a crash leaves the old names or the new ones.
  POSTA_CO_TRY(co_await pool_.transaction([&](db::connection& c) -> asio::awaitable<result<void>> {
    POSTA_CO_TRY_ASSIGN(auto existing, co_await detail::lock_by_name(c, account_id, new_name));
    if (existing) co_return make_error(store_errc::already_exists, new_name);
    if (is_inbox(old_name)) {
      POSTA_CO_TRY(co_await detail::create_superiors(c, account_id, new_name));
      co_return co_await rename_inbox(c, account_id, new_name);
    }
    co_return co_await rename_tree(c, account_id, old_name, new_name);
  }));
  co_return co_await find(account_id, new_name);
}

}  // namespace posta::mail::store
