// MX ordering. RFC 5321 5.1, RFC 7505 3.
#include "core/dns/mx_order.hpp"

#include "core/dns/names.hpp"

#include <algorithm>

namespace posta::dns {
namespace {

// Lowest preference first, each host once; root records left out.
std::vector<mx_record> usable_by_preference(std::span<mx_record const> records) {
  std::vector<mx_record> sorted;
  for (auto const& r : records) {
    auto host = normalise_answer_name(r.host);
    if (!host.empty()) sorted.push_back({r.preference, std::move(host)});
  }
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](auto const& a, auto const& b) { return a.preference < b.preference; });
  std::vector<mx_record> unique;
  for (auto& r : sorted) {
    bool seen = std::any_of(unique.begin(), unique.end(), [&](auto const& u) { return u.host == r.host; });
    if (!seen) unique.push_back(std::move(r));
  }
  return unique;
}

// Fisher-Yates over [first, last).
void shuffle_range(std::vector<mx_record>& v, std::size_t first, std::size_t last, random_below const& random) {
  for (std::size_t i = last - first; i > 1; --i) {
    auto j = static_cast<std::size_t>(random(i));
    std::swap(v[first + i - 1], v[first + j]);
  }
}

}  // namespace

mx_plan order_mx(std::span<mx_record const> records, std::string_view domain, random_below const& random) {
  mx_plan plan;
  if (records.empty()) {
    plan.is_implicit = true;
    plan.hosts.push_back(normalise_answer_name(domain));
    return plan;
  }
  auto usable = usable_by_preference(records);
  if (usable.empty()) {
    plan.is_null_mx = true;
    return plan;
  }
  for (std::size_t first = 0; first < usable.size();) {
    std::size_t last = first;
    while (last < usable.size() && usable[last].preference == usable[first].preference) ++last;
    shuffle_range(usable, first, last, random);
    first = last;
  }
  if (usable.size() > max_mx_hosts) usable.resize(max_mx_hosts);
  for (auto& r : usable) plan.hosts.push_back(std::move(r.host));
  return plan;
}

}  // namespace posta::dns
