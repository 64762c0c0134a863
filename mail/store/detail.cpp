// Row locks, expunge records, NOTIFY and the quota rule of the store.
#include "mail/store/detail.hpp"

#include "core/db/arrays.hpp"
#include "mail/store/errors.hpp"
#include "mail/store/mailbox_store.hpp"

#include <algorithm>

namespace posta::mail::store {

uid_set normalise(uid_set set) {
  for (auto& r : set)
    if (r.first > r.last) std::swap(r.first, r.last);
  std::sort(set.begin(), set.end(), [](auto const& a, auto const& b) { return a.first < b.first; });
  uid_set out;
  for (auto const& r : set) {
    if (!out.empty() && static_cast<std::uint64_t>(r.first) <= static_cast<std::uint64_t>(out.back().last) + 1)
      out.back().last = std::max(out.back().last, r.last);
    else
      out.push_back(r);
  }
  return out;
}

namespace detail {

flag_list flags_from(std::string_view text) {
  auto parsed = parse_text_array(text);
  return parsed ? std::move(*parsed) : flag_list{};
}

char const* const lock_mailboxes_sql =
    "SELECT m.id, m.account_id, m.name, m.uidvalidity, m.uidnext, m.highestmodseq, "
    "m.noselect, m.keywords::text, a.quota_bytes, a.used_bytes, a.quota_messages, "
    "a.used_messages FROM mailboxes m JOIN accounts a ON a.id = m.account_id "
    "WHERE m.id = ANY($1::bigint[]) AND m.account_id = $2 ORDER BY m.id FOR UPDATE OF m";

db::params lock_mailboxes_params(std::int64_t account_id, std::set<std::int64_t> const& ids) {
  std::vector<std::int64_t> list(ids.begin(), ids.end());
  return db::make_params(db::int_array(list), account_id);
}

result<std::map<std::int64_t, locked_mailbox>> locked_from(db::rows const& rows, std::size_t expected) {
  std::map<std::int64_t, locked_mailbox> out;
  for (int i = 0; i < rows.size(); ++i) {
    locked_mailbox b{rows.i64(i, 0), rows.i64(i, 1), rows.str(i, 2), rows.i64(i, 3), rows.i64(i, 4),
                     rows.i64(i, 5), rows.boolean(i, 6), flags_from(rows.text(i, 7)), rows.i64(i, 8),
                     rows.i64(i, 9), rows.i64(i, 10), rows.i64(i, 11)};
    if (!b.noselect) out.emplace(b.id, std::move(b));
  }
  if (out.size() != expected) return make_error(store_errc::nonexistent, "mailbox");
  return out;
}

asio::awaitable<result<std::map<std::int64_t, locked_mailbox>>> lock_mailboxes(db::connection& c,
                                                                               std::int64_t account_id,
                                                                               std::set<std::int64_t> const& ids) {
  POSTA_CO_TRY_ASSIGN(auto rows, co_await c.query(lock_mailboxes_sql, lock_mailboxes_params(account_id, ids)));
  co_return locked_from(rows, ids.size());
}

asio::awaitable<result<locked_mailbox>> lock_mailbox(db::connection& c, mailbox_ref box) {
  std::set<std::int64_t> ids{box.mailbox_id};
  POSTA_CO_TRY_ASSIGN(auto locked, co_await lock_mailboxes(c, box.account_id, ids));
  co_return std::move(locked.begin()->second);
}

asio::awaitable<result<void>> lock_blobs(db::connection& c, std::set<std::string> const& hashes) {
  if (hashes.empty()) co_return result<void>{};
  std::vector<std::string> list(hashes.begin(), hashes.end());
  POSTA_CO_TRY(co_await c.q("SELECT 1 FROM blobs WHERE hash = ANY($1::text[]) ORDER BY hash FOR UPDATE",
                            db::text_array(list)));
  co_return result<void>{};
}

std::pair<std::string, std::string> range_arrays(uid_set const& set) {
  std::vector<std::int64_t> first, last;
  for (auto const& r : set) {
    first.push_back(r.first);
    last.push_back(r.last);
  }
  return {db::int_array(first), db::int_array(last)};
}

asio::awaitable<result<void>> record_expunge(db::connection& c, std::int64_t mailbox_id, std::int64_t modseq,
                                             std::vector<uid_t> const& uids) {
  std::vector<std::int64_t> list(uids.begin(), uids.end());
  POSTA_CO_TRY(co_await c.q("INSERT INTO mailbox_expunges(mailbox_id, modseq, uids) VALUES ($1, $2, $3::bigint[])",
                            mailbox_id, modseq, db::int_array(list)));
  POSTA_CO_TRY(co_await c.q("UPDATE mailboxes SET highestmodseq = greatest(highestmodseq, $2) WHERE id = $1",
                            mailbox_id, modseq));
  co_return result<void>{};
}

asio::awaitable<result<void>> notify(db::connection& c, std::set<std::int64_t> const& ids) {
  if (ids.empty()) co_return result<void>{};
  std::vector<std::int64_t> list(ids.begin(), ids.end());
  // Wakes the sessions of these mailboxes on every node (payload: mailbox id).
  POSTA_CO_TRY(co_await c.q("SELECT pg_notify('posta_mailbox', x::text) FROM unnest($1::bigint[]) AS x",
                            db::int_array(list)));
  co_return result<void>{};
}

asio::awaitable<result<void>> remember_keywords(db::connection& c, locked_mailbox& box,
                                                std::vector<flag_list const*> const& flags, std::size_t max) {
  flag_list added;
  for (auto const* list : flags)
    for (auto const& f : *list)
      if (!is_system_flag(f) && !has_flag(box.keywords, f) && !has_flag(added, f)) added.push_back(f);
  if (added.empty()) co_return result<void>{};
  // SECURITY: the FLAGS list of a mailbox is bounded.
  if (box.keywords.size() + added.size() > max) co_return make_error(store_errc::limit, "too many keywords in mailbox");
  box.keywords.insert(box.keywords.end(), added.begin(), added.end());
  POSTA_CO_TRY(co_await c.q("UPDATE mailboxes SET keywords = $2::text[] WHERE id = $1", box.id,
                            db::text_array(box.keywords)));
  co_return result<void>{};
}

asio::awaitable<result<std::vector<db::rows>>> read_consistent(db::pool& pool, std::vector<db::statement> reads) {
  POSTA_CO_TRY_ASSIGN(auto conn, co_await pool.acquire());
  conn->set_deadline(std::chrono::steady_clock::now() + pool.transaction_bound());
  conn->begin_lazily("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");  // in the reads' round trip
  auto out = co_await conn->pipeline(std::move(reads));
  // Read only: COMMIT and ROLLBACK end it alike.
  auto ended = co_await conn->execute(out ? "COMMIT" : "ROLLBACK");
  conn->clear_deadline();
  if (!out) co_return out.error();
  if (!ended) co_return ended.error();
  co_return out;
}

bool fits(std::int64_t limit, std::int64_t used, std::int64_t adding, std::int64_t grace_percent) {
  if (limit <= 0) return true;
  return used < limit && used + adding <= limit + limit * grace_percent / 100;
}

std::string messages_in_ranges(int lo, int hi, bool only_deleted) {
  return "unnest($" + std::to_string(lo) + "::bigint[], $" + std::to_string(hi) +
         "::bigint[]) AS r(lo, hi) CROSS JOIN LATERAL (SELECT * FROM messages x WHERE x.mailbox_id = $1 "
         "AND x.uid BETWEEN r.lo AND r.hi" +
         (only_deleted ? std::string(" AND '\\Deleted' = ANY(x.flags)") : std::string()) + " OFFSET 0) m";
}

}  // namespace detail
}  // namespace posta::mail::store
