// SELECT snapshots and changes since a MODSEQ (RFC 7162 CONDSTORE/QRESYNC),
// each read from one consistent database snapshot (REPEATABLE READ), so the
// UIDs, UIDNEXT and HIGHESTMODSEQ a session starts from agree.
#include "core/db/arrays.hpp"
#include "mail/store/detail.hpp"
#include "mail/store/mailbox_store.hpp"
#include "mail/store/snapshot_cache.hpp"
#include "mail/store/snapshot_order.hpp"
#include "mail/store/snapshot_update.hpp"

#include <charconv>
#include <unordered_map>

namespace posta::mail::store {
namespace {

constexpr char const* state_sql =
    "SELECT uidvalidity, uidnext, highestmodseq, keywords::text, recent_uid, name FROM mailboxes "
    "WHERE id = $1 AND account_id = $2 AND NOT noselect";

// Flag lists repeat (most messages have {} or {\Seen}): each distinct text
// form is parsed once.
struct flag_interner {
  std::unordered_map<std::string, std::uint32_t> index;
  std::vector<flag_list>& sets;
  std::uint32_t of(std::string_view text) {
    auto [it, added] = index.try_emplace(std::string(text), static_cast<std::uint32_t>(sets.size()));
    if (added) sets.push_back(detail::flags_from(text));
    return it->second;
  }
};

}  // namespace

// A mailbox this node selected before is brought up to date with the
// changes since (one small statement); otherwise, or when its UIDVALIDITY
// changed, every row is read.
asio::awaitable<result<snapshot>> mailbox_store::select(mailbox_ref box) {
  if (auto kept = snapshots_->find(box.mailbox_id)) {
    auto ch = co_await changes_since(box, kept->highestmodseq);
    if (!ch) co_return ch.error();
    if (ch->uidvalidity == kept->uidvalidity) {
      auto fresh = std::make_shared<snapshot const>(apply_changes(*kept, *ch));
      snapshots_->put(fresh);
      co_return *fresh;
    }
    snapshots_->forget(box.mailbox_id);
  }
  POSTA_CO_TRY_ASSIGN(auto out, co_await read_snapshot(box));
  if (out.uids.size() >= snapshots_->min_messages()) snapshots_->put(std::make_shared<snapshot const>(out));
  co_return out;
}

asio::awaitable<result<snapshot>> mailbox_store::read_snapshot(mailbox_ref box) {
  std::vector<db::statement> reads;
  reads.push_back({state_sql, db::make_params(box.mailbox_id, box.account_id)});
  // No ORDER BY: for a large mailbox PostgreSQL would sort every row (past
  // work_mem, on disk); the rows come in nearly UID order and are put in
  // order here (sort_by_uid).
  reads.push_back({"SELECT uid, modseq, flags::text FROM messages WHERE mailbox_id = $1",
                   db::make_params(box.mailbox_id)});
  POSTA_CO_TRY_ASSIGN(auto results, co_await detail::read_consistent(pool_, std::move(reads)));
  auto const& state = results[0];
  if (state.empty()) co_return make_error(store_errc::nonexistent, "mailbox");
  snapshot out;
  out.mailbox_id = box.mailbox_id;
  out.uidvalidity = state.i64(0, 0);
  out.uidnext = state.i64(0, 1);
  out.highestmodseq = state.i64(0, 2);
  out.keywords = detail::flags_from(state.text(0, 3));
  out.recent_uid = state.i64(0, 4);
  auto const& msgs = results[1];
  auto n = static_cast<std::size_t>(msgs.size());
  out.uids.reserve(n);
  out.modseqs.reserve(n);
  out.flag_set.reserve(n);
  flag_interner interner{{}, out.flag_sets};
  for (int i = 0; i < msgs.size(); ++i) {
    out.uids.push_back(static_cast<uid_t>(msgs.i64(i, 0)));
    out.modseqs.push_back(msgs.i64(i, 1));
    out.flag_set.push_back(interner.of(msgs.text(i, 2)));
  }
  sort_by_uid(out);
  co_return out;
}

// One statement, so one snapshot (READ COMMITTED takes one per statement):
// the state row, then the changed messages, then the expunged UIDs, told
// apart by the first column. No transaction to begin and end: a session
// hearing of another's change pays one round trip.
asio::awaitable<result<changes>> mailbox_store::changes_since(mailbox_ref box, std::int64_t since) {
  POSTA_CO_TRY_ASSIGN(
      auto rows,
      co_await pool_.q("SELECT 0 AS k, uidvalidity::bigint AS a, uidnext::bigint AS b, highestmodseq::bigint AS c, "
                       "recent_uid::bigint AS d, keywords::text AS t, name AS n FROM mailboxes "
                       "WHERE id = $1 AND account_id = $2 AND NOT noselect "
                       "UNION ALL SELECT 1, uid::bigint, modseq::bigint, 0, 0, flags::text, NULL FROM messages "
                       "WHERE mailbox_id = $1 AND modseq > $3 "
                       "UNION ALL SELECT DISTINCT 2, u::bigint, modseq::bigint, 0::bigint, 0::bigint, NULL::text, NULL::text "
                       "FROM mailbox_expunges, unnest(uids) AS u WHERE mailbox_id = $1 AND modseq > $3 "
                       "ORDER BY 1, 2",
                       box.mailbox_id, box.account_id, since));
  if (rows.empty() || rows.i64(0, 0) != 0) co_return make_error(store_errc::nonexistent, "mailbox");
  changes out;
  out.uidvalidity = rows.i64(0, 1);
  out.uidnext = rows.i64(0, 2);
  out.highestmodseq = rows.i64(0, 3);
  out.recent_uid = rows.i64(0, 4);
  out.keywords = detail::flags_from(rows.text(0, 5));
  out.name = rows.str(0, 6);
  for (int i = 1; i < rows.size(); ++i) {
    auto const uid = static_cast<uid_t>(rows.i64(i, 1));
    if (rows.i64(i, 0) == 1) out.changed.push_back({uid, rows.i64(i, 2), detail::flags_from(rows.text(i, 5))});
    else if (out.expunged.empty() || out.expunged.back() != uid) {
      out.expunged.push_back(uid);
      out.expunged_modseqs.push_back(rows.i64(i, 2));
    }
  }
  co_return out;
}

}  // namespace posta::mail::store
