// FETCH metadata (RFC 3501 6.4.5: FLAGS, INTERNALDATE, RFC822.SIZE, the
// stored structure for ENVELOPE/BODYSTRUCTURE/sections) and byte ranges of
// the message as served: header_prefix, then the blob (partial FETCH).
#include "core/db/arrays.hpp"
#include "mail/mime/structure_json.hpp"
#include "mail/store/body_cache.hpp"
#include "mail/store/detail.hpp"
#include "mail/store/mailbox_store.hpp"

#include <algorithm>
#include <unordered_map>

namespace posta::mail::store {

asio::awaitable<result<std::vector<message_meta>>> mailbox_store::fetch(mailbox_ref box, uid_set uids,
                                                                       bool with_structure) {
  auto [first, last] = detail::range_arrays(normalise(std::move(uids)));
  std::string sql = "SELECT m.uid, m.modseq, m.flags::text, extract(epoch FROM m.internal_date)::bigint, "
                    "m.size, m.header_prefix, m.blob_hash FROM " +
                    detail::messages_in_ranges(3, 4) +
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
    out.push_back(std::move(m));
  }
  if (with_structure) POSTA_CO_TRY(co_await attach_structures(out));
  co_return out;
}

// From the body cache, and the structures it lacks in one look-up by hash
// (then cached): a listing of the same messages again costs no structure
// query and no JSON parse.
asio::awaitable<result<void>> mailbox_store::attach_structures(std::vector<message_meta>& messages) const {
  std::vector<std::string> missing;
  for (auto& m : messages) {
    m.parsed = cache_->find(m.blob_hash);
    if (!m.parsed) missing.push_back(m.blob_hash);
  }
  if (missing.empty()) co_return result<void>{};
  std::sort(missing.begin(), missing.end());
  missing.erase(std::unique(missing.begin(), missing.end()), missing.end());
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool_.q("SELECT hash, structure FROM blob_structures WHERE hash = ANY($1::text[])",
                                                  db::text_array(missing)));
  std::unordered_map<std::string, std::shared_ptr<parsed_body const>> found;
  for (int i = 0; i < rows.size(); ++i) {
    auto const json = rows.text(i, 1);
    POSTA_CO_TRY_ASSIGN(auto structure, mime::from_json_text(json));
    auto body = std::make_shared<parsed_body const>(std::move(structure));
    auto hash = rows.str(i, 0);
    cache_->insert(hash, body, json.size());
    found.emplace(std::move(hash), std::move(body));
  }
  for (auto& m : messages) {
    if (m.parsed) continue;
    auto it = found.find(m.blob_hash);
    if (it != found.end()) m.parsed = it->second;
  }
  co_return result<void>{};
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
  POSTA_CO_TRY_ASSIGN(auto header, co_await cached_header(message));
  if (header && blob_from + blob_length <= static_cast<std::int64_t>(header->size())) {
    out.append(*header, static_cast<std::size_t>(blob_from), static_cast<std::size_t>(blob_length));
    co_return out;
  }
  POSTA_CO_TRY_ASSIGN(auto conn, co_await pool_.acquire());
  POSTA_CO_TRY_ASSIGN(auto body, co_await blobs_.read(*conn, message.blob_hash, blob_from, blob_length));
  out += body;
  co_return out;
}

// The blob's header bytes, read once into the cache entry: every listing
// (HEADER.FIELDS) and header search reads them again. Null when the message
// has no parsed structure or a header too large to keep.
asio::awaitable<result<std::shared_ptr<std::string const>>> mailbox_store::cached_header(
    message_meta const& message) const {
  std::shared_ptr<std::string const> none;
  if (!message.parsed) co_return none;
  if (auto header = message.parsed->header()) co_return header;
  auto const size = message.parsed->structure().root.body_start;
  if (size > body_cache::max_cached_header) co_return none;
  POSTA_CO_TRY_ASSIGN(auto conn, co_await pool_.acquire());
  POSTA_CO_TRY_ASSIGN(auto bytes, co_await blobs_.read(*conn, message.blob_hash, 0, static_cast<std::int64_t>(size)));
  if (bytes.size() != size) co_return make_error(errc::io_error, "short read of a message header");
  message.parsed->set_header(std::move(bytes));
  co_return message.parsed->header();
}

}  // namespace posta::mail::store
