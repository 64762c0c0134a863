// What one node has read of one mailbox's recent changes (pure, no I/O):
// the mailbox's state at its HIGHESTMODSEQ and every change with a MODSEQ
// above `base()`, folded from successive incremental reads. A session that
// knows the mailbox up to a MODSEQ between base() and highestmodseq() is
// answered from it exactly as changes_since would answer (RFC 7162 MODSEQ
// order: one mailbox's changes commit in MODSEQ order, under its row lock).
#pragma once

#include "mail/store/types.hpp"

#include <cstddef>
#include <map>

namespace posta::mail::store {

class change_log {
 public:
  // SECURITY: changes kept; past it the log forgets them and starts again
  // at the newest read (sessions further behind read the store themselves).
  explicit change_log(std::size_t max_changes = 4096) : max_changes_(max_changes) {}

  bool empty() const noexcept { return !has_state_; }
  std::int64_t base() const noexcept { return base_; }
  std::int64_t highestmodseq() const noexcept { return state_.highestmodseq; }
  // True when since(s) is exact for `s`.
  bool covers(std::int64_t s) const noexcept { return has_state_ && s >= base_ && s <= state_.highestmodseq; }

  // Folds in a read of changes_since(box, after): the first one (any
  // `after`), or one from highestmodseq() on.
  void fold(changes const& read, std::int64_t after);
  // What changes_since(box, s) answers, from memory; covers(s) must hold.
  changes since(std::int64_t s) const;

 private:
  void forget_before(std::int64_t modseq);

  std::size_t max_changes_;
  bool has_state_ = false;
  std::int64_t base_ = 0;
  changes state_;  // the newest state; its changed/expunged lists stay empty
  std::map<uid_t, message_flags> changed_;  // newest flags of each message changed after base_
  std::map<uid_t, std::int64_t> expunged_;  // UID -> MODSEQ of its expunge, after base_
};

}  // namespace posta::mail::store
