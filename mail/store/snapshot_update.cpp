// Merging a mailbox's changes into an earlier SELECT snapshot.
#include "mail/store/snapshot_update.hpp"

#include <algorithm>

namespace posta::mail::store {
namespace {

std::uint32_t index_of(std::vector<flag_list>& sets, flag_list const& flags) {
  auto it = std::find(sets.begin(), sets.end(), flags);
  if (it != sets.end()) return static_cast<std::uint32_t>(it - sets.begin());
  sets.push_back(flags);
  return static_cast<std::uint32_t>(sets.size() - 1);
}

struct builder {
  snapshot& out;
  void add(uid_t uid, std::int64_t modseq, std::uint32_t flag_set) {
    out.uids.push_back(uid);
    out.modseqs.push_back(modseq);
    out.flag_set.push_back(flag_set);
  }
};

}  // namespace

snapshot apply_changes(snapshot const& base, changes const& ch) {
  snapshot out;
  out.mailbox_id = base.mailbox_id;
  out.uidvalidity = base.uidvalidity;
  out.uidnext = ch.uidnext;
  out.highestmodseq = ch.highestmodseq;
  out.recent_uid = ch.recent_uid;
  out.keywords = ch.keywords;
  out.flag_sets = base.flag_sets;
  auto const n = base.uids.size() + ch.changed.size();
  out.uids.reserve(n);
  out.modseqs.reserve(n);
  out.flag_set.reserve(n);
  builder b{out};
  // Both lists are in UID order: one merge. A changed UID replaces the
  // base's entry; an expunged one is dropped (a UID is never reused).
  std::size_t i = 0, c = 0, x = 0;
  auto expunged = [&](uid_t uid) {
    while (x < ch.expunged.size() && ch.expunged[x] < uid) ++x;
    return x < ch.expunged.size() && ch.expunged[x] == uid;
  };
  while (i < base.uids.size() || c < ch.changed.size()) {
    bool const take_change = c < ch.changed.size() && (i == base.uids.size() || ch.changed[c].uid <= base.uids[i]);
    if (take_change) {
      auto const& m = ch.changed[c++];
      if (i < base.uids.size() && base.uids[i] == m.uid) ++i;
      if (!expunged(m.uid)) b.add(m.uid, m.modseq, index_of(out.flag_sets, m.flags));
    } else {
      if (!expunged(base.uids[i])) b.add(base.uids[i], base.modseqs[i], base.flag_set[i]);
      ++i;
    }
  }
  return out;
}

}  // namespace posta::mail::store
