// COPY and MOVE (RFC 3501 6.4.7, RFC 6851, RFC 4315 COPYUID): the copies
// share their blobs (a reference more each, added by blob::store::pin), get
// new UIDs and MODSEQs in the destination. MOVE gives the rows themselves
// new UIDs in the destination (no reference or usage changes) and records
// their expunge in the source, in the same transaction.
#include "core/db/arrays.hpp"

#include <limits>
#include "mail/store/detail.hpp"
#include "mail/store/mailbox_store.hpp"

namespace posta::mail::store {
namespace {

struct source_message {
  uid_t uid;
  std::string flags_text;
  flag_list flags;
  std::string date, prefix, hash;
  std::int64_t size;
};

asio::awaitable<result<db::rows>> read_source(db::connection& c, std::int64_t mailbox, uid_set const& uids) {
  auto [first, last] = detail::range_arrays(uids);
  co_return co_await c.q("SELECT m.uid, m.flags::text, m.internal_date::text, m.header_prefix, m.blob_hash, m.size "
                         "FROM " + detail::messages_in_ranges(2, 3) + " ORDER BY m.uid",
                         mailbox, first, last);
}

// New UIDs and MODSEQs in `to` for `msgs`, in order.
result<void> assign(detail::locked_mailbox& to, std::vector<source_message> const& msgs, copy_result& out,
                    std::vector<std::int64_t>& uid, std::vector<std::int64_t>& modseq) {
  for (auto const& m : msgs) {
    out.source_uids.push_back(m.uid);
    out.dest_uids.push_back(static_cast<uid_t>(to.uidnext));
    uid.push_back(to.uidnext++);
    modseq.push_back(++to.highestmodseq);
  }
  // SECURITY: UIDs are 32-bit.
  if (to.uidnext > static_cast<std::int64_t>(std::numeric_limits<uid_t>::max()))
    return make_error(store_errc::limit, "mailbox has used every UID");
  return {};
}

asio::awaitable<result<void>> save_counters(db::connection& c, detail::locked_mailbox const& to) {
  POSTA_CO_TRY(co_await c.q("UPDATE mailboxes SET uidnext = $2, highestmodseq = greatest(highestmodseq, $3) WHERE id = $1",
                            to.id, to.uidnext, to.highestmodseq));
  co_return result<void>{};
}

// The copies of `msgs` as rows of `to`, their blobs pinned with one more
// reference per copy (after the mailbox rows: the delivery lock order).
asio::awaitable<result<void>> insert_copies(db::connection& c, blob::store const& blobs, detail::locked_mailbox& to,
                                            std::vector<source_message> const& msgs, copy_result& out) {
  std::vector<std::int64_t> uid, modseq, size;
  POSTA_CO_TRY(assign(to, msgs, out, uid, modseq));
  std::vector<std::string> flags, date, prefix, hash;
  std::vector<blob::blob_use> uses;
  for (auto const& m : msgs) {
    size.push_back(m.size);
    flags.push_back(m.flags_text);
    date.push_back(m.date);
    prefix.push_back(m.prefix);
    hash.push_back(m.hash);
    blob::blob_ref ref{m.hash, m.size - static_cast<std::int64_t>(m.prefix.size())};
    uses.push_back({ref, 1});
  }
  POSTA_CO_TRY(co_await blobs.pin(c, uses));
  POSTA_CO_TRY(co_await c.q("INSERT INTO messages(mailbox_id, uid, modseq, flags, internal_date, header_prefix, blob_hash, size) "
                            "SELECT $1, u, s, f::text[], d::timestamptz, p, h, z FROM unnest($2::bigint[], $3::bigint[], "
                            "$4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[]) AS v(u, s, f, d, p, h, z)",
                            to.id, db::int_array(uid), db::int_array(modseq), db::text_array(flags),
                            db::text_array(date), db::text_array(prefix), db::text_array(hash), db::int_array(size)));
  co_return co_await save_counters(c, to);
}

// MOVE: the rows change mailbox and UID; the source records their expunge.
asio::awaitable<result<void>> move_rows(db::connection& c, detail::locked_mailbox& from, detail::locked_mailbox& to,
                                        std::vector<source_message> const& msgs, copy_result& out) {
  std::vector<std::int64_t> uid, modseq, old_uid;
  POSTA_CO_TRY(assign(to, msgs, out, uid, modseq));
  for (auto const& m : msgs) old_uid.push_back(m.uid);
  POSTA_CO_TRY(co_await c.q("UPDATE messages m SET mailbox_id = $2, uid = v.n, modseq = v.s "
                            "FROM unnest($3::bigint[], $4::bigint[], $5::bigint[]) AS v(o, n, s) "
                            "WHERE m.mailbox_id = $1 AND m.uid = v.o",
                            from.id, to.id, db::int_array(old_uid), db::int_array(uid), db::int_array(modseq)));
  POSTA_CO_TRY(co_await save_counters(c, to));
  out.expunged.uids = out.source_uids;
  out.expunged.modseq = ++from.highestmodseq;  // the same row as `to` for a MOVE within one mailbox
  co_return co_await detail::record_expunge(c, from.id, out.expunged.modseq, out.expunged.uids);
}

}  // namespace

asio::awaitable<result<copy_result>> mailbox_store::copy(mailbox_ref from, uid_set uids, std::int64_t to_mailbox) {
  return transfer(from, std::move(uids), to_mailbox, false);
}

asio::awaitable<result<copy_result>> mailbox_store::move(mailbox_ref from, uid_set uids, std::int64_t to_mailbox) {
  return transfer(from, std::move(uids), to_mailbox, true);
}

asio::awaitable<result<copy_result>> mailbox_store::transfer(mailbox_ref from, uid_set uids, std::int64_t to_mailbox,
                                                             bool move) {
  uids = normalise(std::move(uids));
  auto const grace = quota_grace_percent_.load();
  auto const max = limits_.max_messages_per_operation;
  auto const max_keywords = limits_.flags.max_mailbox_keywords;
  co_return co_await pool_.transaction([&](db::connection& c) -> asio::awaitable<result<copy_result>> {
    // Both mailbox rows by id (no EXPUNGE can run in the source meanwhile),
    // then blob rows in hash order (pin), as delivery does.
    std::set<std::int64_t> ids{from.mailbox_id, to_mailbox};
    POSTA_CO_TRY_ASSIGN(auto boxes, co_await detail::lock_mailboxes(c, from.account_id, ids));
    POSTA_CO_TRY_ASSIGN(auto rows, co_await read_source(c, from.mailbox_id, uids));
    // SECURITY: one COPY is one transaction; its size is bounded.
    if (static_cast<std::size_t>(rows.size()) > max) co_return make_error(store_errc::limit, "too many messages");
    std::vector<source_message> msgs;
    std::int64_t bytes = 0;
    for (int i = 0; i < rows.size(); ++i) {
      msgs.push_back({static_cast<uid_t>(rows.i64(i, 0)), rows.str(i, 1), detail::flags_from(rows.text(i, 1)),
                      rows.str(i, 2), rows.str(i, 3), rows.str(i, 4), rows.i64(i, 5)});
      bytes += msgs.back().size;
    }
    auto& to = boxes.at(to_mailbox);
    copy_result out;
    out.uidvalidity = to.uidvalidity;
    if (msgs.empty()) co_return out;
    // MOVE stays within the account: its usage does not change, so it is
    // never refused (a user over quota must be able to move mail to Trash).
    auto count = static_cast<std::int64_t>(msgs.size());
    if (!move && (!detail::fits(to.quota_bytes, to.used_bytes, bytes, grace) ||
                  !detail::fits(to.quota_messages, to.used_messages, count, grace)))
      co_return make_error(store_errc::over_quota, "quota exceeded");
    std::vector<flag_list const*> lists;
    for (auto const& m : msgs) lists.push_back(&m.flags);
    POSTA_CO_TRY(co_await detail::remember_keywords(c, to, lists, max_keywords));
    if (move) {
      POSTA_CO_TRY(co_await move_rows(c, boxes.at(from.mailbox_id), to, msgs, out));
    } else {
      POSTA_CO_TRY(co_await insert_copies(c, blobs_, to, msgs, out));
    }
    POSTA_CO_TRY(co_await detail::notify(c, ids));
    // DURABILITY: the copies (and for MOVE the expunge) commit together
    // before the caller answers OK; a crash leaves all or nothing.
    co_return out;
  });
}

}  // namespace posta::mail::store
