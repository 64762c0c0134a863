// STORE (RFC 3501 6.4.6, RFC 9051 6.4.6) with UNCHANGEDSINCE (RFC 7162
// 3.1.3): under the mailbox row lock, each changed message gets the next
// MODSEQ, the mailbox its HIGHESTMODSEQ, in one transaction.
#include "core/db/arrays.hpp"
#include "mail/store/detail.hpp"
#include "mail/store/mailbox_store.hpp"

namespace posta::mail::store {
namespace {

struct planned {
  store_result result;
  std::vector<std::int64_t> uids, modseqs;
  std::vector<std::string> flags;  // space-separated (flags are atoms)
};

std::string joined(flag_list const& flags) {
  std::string out;
  for (auto const& f : flags) out += (out.empty() ? "" : " ") + f;
  return out;
}

planned plan(db::rows const& rows, store_mode mode, flag_list const& given, std::optional<std::int64_t> since,
             std::int64_t& modseq) {
  planned p;
  for (int i = 0; i < rows.size(); ++i) {
    auto uid = static_cast<uid_t>(rows.i64(i, 0));
    auto current_modseq = rows.i64(i, 1);
    if (since && current_modseq > *since) {
      p.result.failed.push_back(uid);
      continue;
    }
    auto current = detail::flags_from(rows.text(i, 2));
    auto next = apply_store(current, mode, given);
    if (same_flags(current, next)) {
      p.result.unchanged.push_back({uid, current_modseq, std::move(current)});
      continue;
    }
    p.uids.push_back(uid);
    p.modseqs.push_back(++modseq);
    p.flags.push_back(joined(next));
    p.result.modified.push_back({uid, modseq, std::move(next)});
  }
  return p;
}

}  // namespace

asio::awaitable<result<store_result>> mailbox_store::store_flags(mailbox_ref box, uid_set uids, store_mode mode,
                                                                 flag_list flags,
                                                                 std::optional<std::int64_t> unchanged_since) {
  POSTA_CO_TRY_ASSIGN(flags, normalise_flags(flags, limits_.flags));
  auto [first, last] = detail::range_arrays(normalise(std::move(uids)));
  auto const max_keywords = limits_.flags.max_mailbox_keywords;
  auto const max_flags = limits_.flags.max_flags;
  co_return co_await pool_.transaction([&](db::connection& c) -> asio::awaitable<result<store_result>> {
    // The lock and the read in one round trip: the read runs after the lock
    // is granted, in the same transaction.
    std::set<std::int64_t> const ids{box.mailbox_id};
    std::vector<db::statement> reads;
    reads.push_back({detail::lock_mailboxes_sql, detail::lock_mailboxes_params(box.account_id, ids)});
    reads.push_back({"SELECT m.uid, m.modseq, m.flags::text FROM " + detail::messages_in_ranges(2, 3) + " ORDER BY m.uid",
                     db::make_params(box.mailbox_id, first, last)});
    POSTA_CO_TRY_ASSIGN(auto results, co_await c.pipeline(std::move(reads)));
    POSTA_CO_TRY_ASSIGN(auto boxes, detail::locked_from(results[0], 1));
    auto& locked = boxes.begin()->second;
    auto const& rows = results[1];
    auto modseq = locked.highestmodseq;
    auto p = plan(rows, mode, flags, unchanged_since, modseq);
    p.result.highestmodseq = modseq;
    if (p.uids.empty()) co_return std::move(p.result);
    std::vector<flag_list const*> lists;
    for (auto const& m : p.result.modified) {
      // SECURITY: flags per message stay bounded after +FLAGS too.
      if (m.flags.size() > max_flags) co_return make_error(store_errc::limit, "too many flags on one message");
      lists.push_back(&m.flags);
    }
    POSTA_CO_TRY(co_await detail::remember_keywords(c, locked, lists, max_keywords));
    // The messages, the mailbox's HIGHESTMODSEQ and the NOTIFY that wakes
    // its sessions on every node (detail::notify's channel and payload), in
    // one statement.
    POSTA_CO_TRY(co_await c.q("WITH changed AS (UPDATE messages m SET flags = string_to_array(v.f, ' '), modseq = v.s "
                              "FROM unnest($2::bigint[], $3::bigint[], $4::text[]) AS v(u, s, f) "
                              "WHERE m.mailbox_id = $1 AND m.uid = v.u) "
                              "UPDATE mailboxes SET highestmodseq = $5 "
                              "FROM (SELECT pg_notify('posta_mailbox', $1::bigint::text)) AS told WHERE id = $1",
                              box.mailbox_id, db::int_array(p.uids), db::int_array(p.modseqs),
                              db::text_array(p.flags), modseq));
    // DURABILITY: the caller answers OK after pool_.transaction commits.
    co_return std::move(p.result);
  });
}

}  // namespace posta::mail::store
