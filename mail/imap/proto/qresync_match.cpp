// RFC 7162 3.2.5.2 message sequence match data.
#include "mail/imap/proto/qresync_match.hpp"

namespace posta::mail::imap::proto {
namespace {

std::uint64_t size_of(std::vector<seq_range> const& ranges) {
  std::uint64_t n = 0;
  for (auto const& r : ranges) n += std::uint64_t{r.last} - r.first + 1;
  return n;
}

}  // namespace

std::uint32_t qresync_known_floor(sequence_set const& known_seqs, sequence_set const& known_uids,
                                  std::span<std::uint32_t const> uids) {
  if (known_seqs.saved || known_uids.saved || uids.empty()) return 0;
  auto const count = static_cast<std::uint32_t>(uids.size());
  auto const seqs = normalize(known_seqs, count);
  auto const given = normalize(known_uids, uids.back());
  if (seqs.empty() || size_of(seqs) != size_of(given)) return 0;
  std::uint32_t floor = 0;
  std::size_t si = 0, ui = 0;
  std::uint32_t seq = seqs[0].first, uid = given[0].first;
  // Both lists in step, one pair at a time; sequence numbers past the
  // mailbox's count cannot match, so at most `count` steps.
  while (si < seqs.size() && ui < given.size() && seq <= count) {
    if (uids[seq - 1] == uid && uid > floor) floor = uid;
    if (seq == seqs[si].last) {
      if (++si < seqs.size()) seq = seqs[si].first;
    } else {
      ++seq;
    }
    if (uid == given[ui].last) {
      if (++ui < given.size()) uid = given[ui].first;
    } else {
      ++uid;
    }
  }
  return floor;
}

}  // namespace posta::mail::imap::proto
