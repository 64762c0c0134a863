// SELECT snapshots and changes since a MODSEQ (RFC 7162 CONDSTORE/QRESYNC),
// each read from one consistent database snapshot (REPEATABLE READ), so the
// UIDs, UIDNEXT and HIGHESTMODSEQ a session starts from agree.
#include "core/db/arrays.hpp"
#include "mail/store/detail.hpp"
#include "mail/store/mailbox_store.hpp"

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

asio::awaitable<result<snapshot>> mailbox_store::select(mailbox_ref box) {
  std::vector<db::statement> reads;
  reads.push_back({state_sql, db::make_params(box.mailbox_id, box.account_id)});
  reads.push_back({"SELECT uid, modseq, flags::text FROM messages WHERE mailbox_id = $1 ORDER BY uid",
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
  co_return out;
}

asio::awaitable<result<bool>> mailbox_store::changed_since(mailbox_ref box, std::int64_t since) {
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool_.q("SELECT highestmodseq, uidvalidity FROM mailboxes "
                                                  "WHERE id = $1 AND account_id = $2 AND NOT noselect",
                                                  box.mailbox_id, box.account_id));
  // Gone or \Noselect: changes_since tells what that means.
  co_return rows.empty() || rows.i64(0, 0) > since;
}

asio::awaitable<result<changes>> mailbox_store::changes_since(mailbox_ref box, std::int64_t since) {
  std::vector<db::statement> reads;
  reads.push_back({state_sql, db::make_params(box.mailbox_id, box.account_id)});
  reads.push_back({"SELECT uid, modseq, flags::text FROM messages WHERE mailbox_id = $1 AND modseq > $2 ORDER BY uid",
                   db::make_params(box.mailbox_id, since)});
  reads.push_back({"SELECT DISTINCT u FROM mailbox_expunges, unnest(uids) AS u WHERE mailbox_id = $1 AND modseq > $2 "
                   "ORDER BY u",
                   db::make_params(box.mailbox_id, since)});
  POSTA_CO_TRY_ASSIGN(auto results, co_await detail::read_consistent(pool_, std::move(reads)));
  auto const& state = results[0];
  if (state.empty()) co_return make_error(store_errc::nonexistent, "mailbox");
  changes out;
  out.uidvalidity = state.i64(0, 0);
  out.uidnext = state.i64(0, 1);
  out.highestmodseq = state.i64(0, 2);
  out.keywords = detail::flags_from(state.text(0, 3));
  out.recent_uid = state.i64(0, 4);
  out.name = state.str(0, 5);
  auto const& changed = results[1];
  for (int i = 0; i < changed.size(); ++i)
    out.changed.push_back({static_cast<uid_t>(changed.i64(i, 0)), changed.i64(i, 1), detail::flags_from(changed.text(i, 2))});
  for (int i = 0; i < results[2].size(); ++i) out.expunged.push_back(static_cast<uid_t>(results[2].i64(i, 0)));
  co_return out;
}

}  // namespace posta::mail::store
