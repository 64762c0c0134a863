// Ordering a snapshot read in table order.
#include "mail/store/snapshot_order.hpp"

#include <algorithm>
#include <numeric>

namespace posta::mail::store {

void sort_by_uid(snapshot& s) {
  if (std::is_sorted(s.uids.begin(), s.uids.end())) return;
  std::vector<std::uint32_t> order(s.uids.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return s.uids[a] < s.uids[b]; });
  auto permute = [&](auto& v) {
    std::remove_reference_t<decltype(v)> sorted;
    sorted.reserve(v.size());
    for (auto i : order) sorted.push_back(v[i]);
    v = std::move(sorted);
  };
  permute(s.uids);
  permute(s.modseqs);
  permute(s.flag_set);
}

}  // namespace posta::mail::store
