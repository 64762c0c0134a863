// FETCH metadata (RFC 3501 6.4.5: FLAGS, INTERNALDATE, RFC822.SIZE, the
// stored structure for ENVELOPE/BODYSTRUCTURE/sections) and byte ranges of
// the message as served: header_prefix, then the blob (partial FETCH).
#include "mail/store/detail.hpp"
#include "mail/store/mailbox_store.hpp"

namespace posta::mail::store {

asio::awaitable<result<std::vector<message_meta>>> mailbox_store::fetch(mailbox_ref box, uid_set uids,
                                                                       bool with_structure) {
  auto [first, last] = detail::range_arrays(normalise(std::move(uids)));
  // The structure by a per-row index look-up (a subquery the planner keeps
  // as one), never a join against every structure stored.
  std::string sql = std::string("SELECT m.uid, m.modseq, m.flags::text, extract(epoch FROM m.internal_date)::bigint, "
                                "m.size, m.header_prefix, m.blob_hash, ") +
                    (with_structure ? "(SELECT s.structure FROM blob_structures s WHERE s.hash = m.blob_hash) " : "NULL ") +
                    "FROM " + detail::messages_in_ranges(3, 4) +
                    " WHERE EXISTS (SELECT 1 FROM mailboxes b WHERE b.id = $1 AND b.account_id = $2) ORDER BY m.uid";
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool_.q(std::move(sql), box.mailbox_id, box.account_id, first, last));
  std::vector<message_meta> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    message_meta m;
    m.uid = static_cast<uid_t>(rows.i64(i, 0));
    m.modseq = rows.i64(i, 1);
    m.flags = detail::flags_from(rows.text(i, 2));
    m.internal_date = rows.i64(i, 3);
    m.size = rows.i64(i, 4);
    m.header_prefix = rows.str(i, 5);
    m.blob_hash = rows.str(i, 6);
    m.structure_json = rows.opt(i, 7);
    out.push_back(std::move(m));
  }
  co_return out;
}

asio::awaitable<result<std::string>> mailbox_store::read(message_meta const& message, std::int64_t offset,
                                                         std::int64_t length) const {
  if (offset < 0) co_return make_error(errc::invalid_argument, "negative offset");
  auto const prefix_size = static_cast<std::int64_t>(message.header_prefix.size());
  auto const end = length < 0 ? message.size : std::min(message.size, offset + length);
  std::string out;
  if (offset >= end) co_return out;
  if (offset < prefix_size) out = message.header_prefix.substr(offset, std::min(end, prefix_size) - offset);
  if (end <= prefix_size) co_return out;
  // The blob part of the range, read from wherever the body lives.
  auto blob_from = std::max<std::int64_t>(offset - prefix_size, 0);
  auto blob_length = end - prefix_size - blob_from;
  POSTA_CO_TRY_ASSIGN(auto conn, co_await pool_.acquire());
  POSTA_CO_TRY_ASSIGN(auto body, co_await blobs_.read(*conn, message.blob_hash, blob_from, blob_length));
  out += body;
  co_return out;
}

}  // namespace posta::mail::store
