// Folding incremental change reads of one mailbox and answering from them.
#include "mail/store/change_log.hpp"

#include <cstdlib>

namespace posta::mail::store {

void change_log::fold(changes const& read, std::int64_t after) {
  if (read.expunged.size() != read.expunged_modseqs.size()) std::abort();  // a bug in the reader
  // A read that does not continue this log (the first, or one after a gap)
  // starts it again at its own `after`.
  if (!has_state_ || after != state_.highestmodseq) forget_before(after);
  has_state_ = true;
  state_.uidnext = read.uidnext;
  state_.highestmodseq = read.highestmodseq;
  state_.uidvalidity = read.uidvalidity;
  state_.recent_uid = read.recent_uid;
  state_.name = read.name;
  state_.keywords = read.keywords;
  for (auto const& m : read.changed) changed_[m.uid] = m;
  for (std::size_t i = 0; i < read.expunged.size(); ++i) {
    changed_.erase(read.expunged[i]);
    expunged_[read.expunged[i]] = read.expunged_modseqs[i];
  }
  if (changed_.size() + expunged_.size() > max_changes_) forget_before(state_.highestmodseq);
}

void change_log::forget_before(std::int64_t modseq) {
  base_ = modseq;
  changed_.clear();
  expunged_.clear();
}

changes change_log::since(std::int64_t s) const {
  if (!covers(s)) std::abort();  // a bug in the caller: it must ask covers() first
  changes out = state_;
  for (auto const& [uid, m] : changed_)
    if (m.modseq > s) out.changed.push_back(m);
  for (auto const& [uid, modseq] : expunged_)
    if (modseq > s) {
      out.expunged.push_back(uid);
      out.expunged_modseqs.push_back(modseq);
    }
  return out;
}

}  // namespace posta::mail::store
