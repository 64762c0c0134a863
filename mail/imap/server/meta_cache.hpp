// The selected mailbox's message metadata this session has already read
// (INTERNALDATE, RFC822.SIZE, the header prefix, the body's hash and parsed
// structure), kept until the mailbox is deselected: a client that searches
// or lists the same mailbox again asks the database only for what it has
// not seen. Everything kept is fixed for a UID within one UIDVALIDITY
// (flags and MODSEQ live in selected_mailbox), so nothing is invalidated;
// an expunged UID is simply never asked for again.
#pragma once

#include "mail/store/types.hpp"

#include <cstddef>
#include <cstdint>
#include <unordered_map>

namespace posta::mail::imap::server {

class meta_cache {
 public:
  // SECURITY: the memory one session may keep (imap.session_cache_kb);
  // beyond it metadata is read from the store each time.
  explicit meta_cache(std::size_t max_bytes = 0) : max_bytes_(max_bytes) {}

  void set_max_bytes(std::size_t max_bytes) { max_bytes_ = max_bytes; }
  // The kept metadata of `uid`; with_structure also needs its parsed body.
  store::message_meta const* find(std::uint32_t uid, bool with_structure) const;
  // Keeps `m` (moved from, without its flags) if the budget allows; the
  // returned pointer stays valid until clear(). Null when not kept, and
  // then `m` is untouched.
  store::message_meta const* keep(store::message_meta& m);
  void clear();
  std::size_t bytes() const { return bytes_; }

 private:
  static std::size_t cost(store::message_meta const& m);

  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  std::unordered_map<std::uint32_t, store::message_meta> by_uid_;
};

}  // namespace posta::mail::imap::server
