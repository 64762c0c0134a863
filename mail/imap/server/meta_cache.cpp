#include "mail/imap/server/meta_cache.hpp"

namespace posta::mail::imap::server {

store::message_meta const* meta_cache::find(std::uint32_t uid, bool with_structure) const {
  auto it = by_uid_.find(uid);
  if (it == by_uid_.end() || (with_structure && !it->second.parsed)) return nullptr;
  return &it->second;
}

store::message_meta const* meta_cache::keep(store::message_meta& m) {
  auto it = by_uid_.find(m.uid);
  if (it != by_uid_.end()) {
    // Known without structure, now with it: the parsed body is shared, so
    // only the pointer is added.
    if (!it->second.parsed) it->second.parsed = std::move(m.parsed);
    return &it->second;
  }
  auto const c = cost(m);
  if (bytes_ + c > max_bytes_) return nullptr;
  bytes_ += c;
  m.flags.clear();  // the session's own view of flags is selected_mailbox's
  return &by_uid_.emplace(m.uid, std::move(m)).first->second;
}

void meta_cache::clear() {
  by_uid_.clear();
  bytes_ = 0;
}

std::size_t meta_cache::cost(store::message_meta const& m) {
  // The node, and the strings when they do not fit in place.
  return sizeof(store::message_meta) + 32 + (m.header_prefix.size() > 15 ? m.header_prefix.capacity() : 0) +
         (m.blob_hash.size() > 15 ? m.blob_hash.capacity() : 0);
}

}  // namespace posta::mail::imap::server
