// APPEND and MULTIAPPEND (RFC 3501 6.3.11, RFC 3502, RFC 4315 APPENDUID):
// the mailbox row locked, quota checked as on delivery, blobs pinned with
// their new references (inline bodies written), UIDs and MODSEQs assigned,
// NOTIFY.
#include "core/db/arrays.hpp"

#include <limits>
#include "mail/store/detail.hpp"
#include "mail/store/mailbox_store.hpp"
#include "mail/store/pin_structures.hpp"

namespace posta::mail::store {
namespace {

struct new_rows {
  std::vector<std::int64_t> uid, modseq, size, date;
  std::vector<std::string> hash, flags;
};

std::string joined(flag_list const& flags) {
  std::string out;
  for (auto const& f : flags) out += (out.empty() ? "" : " ") + f;
  return out;
}

// The blob rows with the references the new messages add (inserts of
// messages do not count them: schema/009), and their structures.
asio::awaitable<result<void>> pin_items(db::connection& c, blob::store const& blobs,
                                        std::vector<append_item> const& items) {
  std::vector<blob::blob_use> uses;
  std::vector<std::string> structures;
  for (auto const& item : items) {
    uses.push_back({item.blob, 1});
    structures.push_back(item.structure_json);
  }
  co_return co_await pin_with_structures(c, blobs, uses, structures);
}

}  // namespace

asio::awaitable<result<append_result>> mailbox_store::append(mailbox_ref box, std::vector<append_item> items) {
  if (items.empty()) co_return make_error(store_errc::no_such_message, "nothing to append");
  // SECURITY: one MULTIAPPEND is one transaction; its size is bounded.
  if (items.size() > limits_.max_messages_per_operation) co_return make_error(store_errc::limit, "too many messages");
  for (auto& item : items) {
    POSTA_CO_TRY_ASSIGN(item.flags, normalise_flags(item.flags, limits_.flags));
  }
  auto const grace = quota_grace_percent_.load();
  auto const max_keywords = limits_.flags.max_mailbox_keywords;
  co_return co_await pool_.transaction([&](db::connection& c) -> asio::awaitable<result<append_result>> {
    POSTA_CO_TRY_ASSIGN(auto locked, co_await detail::lock_mailbox(c, box));
    std::int64_t bytes = 0;
    for (auto const& item : items) bytes += item.blob.size;
    auto count = static_cast<std::int64_t>(items.size());
    if (!detail::fits(locked.quota_bytes, locked.used_bytes, bytes, grace) ||
        !detail::fits(locked.quota_messages, locked.used_messages, count, grace))
      co_return make_error(store_errc::over_quota, "quota exceeded");
    std::vector<flag_list const*> lists;
    for (auto const& item : items) lists.push_back(&item.flags);
    POSTA_CO_TRY(co_await detail::remember_keywords(c, locked, lists, max_keywords));
    // Lock order (as delivery): the mailbox row above, then blob rows.
    POSTA_CO_TRY(co_await pin_items(c, blobs_, items));
    new_rows rows;
    append_result out{locked.uidvalidity, {}};
    for (auto const& item : items) {
      out.uids.push_back(static_cast<uid_t>(locked.uidnext));
      rows.uid.push_back(locked.uidnext++);
      rows.modseq.push_back(++locked.highestmodseq);
      rows.size.push_back(item.blob.size);
      rows.date.push_back(item.internal_date.value_or(-1));
      rows.hash.push_back(item.blob.hash);
      rows.flags.push_back(joined(item.flags));
    }
    // SECURITY: UIDs are 32-bit; a mailbox that ran out needs a new UIDVALIDITY.
    if (locked.uidnext > static_cast<std::int64_t>(std::numeric_limits<uid_t>::max()))
      co_return make_error(store_errc::limit, "mailbox has used every UID");
    POSTA_CO_TRY(co_await c.q("INSERT INTO messages(mailbox_id, uid, modseq, flags, internal_date, blob_hash, size) "
                              "SELECT $1, u, s, string_to_array(f, ' '), CASE WHEN d < 0 THEN now() ELSE to_timestamp(d) END, "
                              "h, z FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::bigint[], $6::text[], "
                              "$7::bigint[]) AS v(u, s, f, d, h, z)",
                              box.mailbox_id, db::int_array(rows.uid), db::int_array(rows.modseq),
                              db::text_array(rows.flags), db::int_array(rows.date), db::text_array(rows.hash),
                              db::int_array(rows.size)));
    POSTA_CO_TRY(co_await c.q("UPDATE mailboxes SET uidnext = $2, highestmodseq = $3 WHERE id = $1", box.mailbox_id,
                              locked.uidnext, locked.highestmodseq));
    std::set<std::int64_t> ids{box.mailbox_id};
    POSTA_CO_TRY(co_await detail::notify(c, ids));
    // DURABILITY: file bodies were fsynced by ingest(); inline bodies and
    // the rows are durable when this transaction commits, before OK.
    co_return out;
  });
}

}  // namespace posta::mail::store
