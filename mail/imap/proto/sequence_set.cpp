// Sequence sets: parsing (RFC 3501 9, RFC 5182), normalization and
// resolution against a mailbox's message count or UIDs.
#include "mail/imap/proto/sequence_set.hpp"

#include <algorithm>
#include <charconv>

namespace posta::mail::imap::proto {

namespace {

// seq-number = nz-number / "*"; nz-number fits 32 bits (RFC 9051 9).
std::optional<std::uint32_t> parse_seq_number(std::string_view s) {
  if (s == "*") return seq_star;
  if (s.empty() || s[0] < '1' || s[0] > '9') return std::nullopt;
  std::uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<seq_range> parse_element(std::string_view s) {
  auto colon = s.find(':');
  auto first = parse_seq_number(s.substr(0, colon));
  if (!first) return std::nullopt;
  if (colon == std::string_view::npos) return seq_range{*first, *first};
  auto last = parse_seq_number(s.substr(colon + 1));
  if (!last) return std::nullopt;
  return seq_range{*first, *last};
}

std::uint32_t resolve(std::uint32_t n, std::uint32_t largest) {
  return n == seq_star ? largest : n;
}

}  // namespace

std::optional<sequence_set> parse_sequence_set(std::string_view s, std::size_t max_ranges) {
  sequence_set out;
  if (s == "$") {
    out.saved = true;
    return out;
  }
  while (true) {
    if (out.ranges.size() >= max_ranges) return std::nullopt;
    auto comma = s.find(',');
    auto r = parse_element(s.substr(0, comma));
    if (!r) return std::nullopt;
    out.ranges.push_back(*r);
    if (comma == std::string_view::npos) return out;
    s.remove_prefix(comma + 1);
  }
}

std::vector<seq_range> normalize(sequence_set const& set, std::uint32_t largest) {
  std::vector<seq_range> rs;
  rs.reserve(set.ranges.size());
  for (auto r : set.ranges) {
    if (largest == 0 && (r.first == seq_star || r.last == seq_star)) continue;  // '*' of an empty mailbox
    std::uint32_t a = resolve(r.first, largest), b = resolve(r.last, largest);
    if (a > b) std::swap(a, b);
    rs.push_back({a, b});
  }
  std::sort(rs.begin(), rs.end(), [](auto const& x, auto const& y) { return x.first < y.first; });
  std::vector<seq_range> out;
  for (auto r : rs) {
    if (!out.empty() && (out.back().last == UINT32_MAX || r.first <= out.back().last + 1))
      out.back().last = std::max(out.back().last, r.last);
    else
      out.push_back(r);
  }
  return out;
}

bool is_within(sequence_set const& set, std::uint32_t count) {
  return std::all_of(set.ranges.begin(), set.ranges.end(), [count](seq_range r) {
    if (count == 0) return r.first == seq_star || r.last == seq_star;
    return r.first <= count && r.last <= count;
  });
}

bool contains(std::span<seq_range const> normalized, std::uint32_t n) {
  auto it = std::upper_bound(normalized.begin(), normalized.end(), n,
                             [](std::uint32_t v, seq_range const& r) { return v < r.first; });
  return it != normalized.begin() && std::prev(it)->last >= n;
}

std::vector<std::uint32_t> select_uids(sequence_set const& set, std::span<std::uint32_t const> uids) {
  std::vector<std::uint32_t> out;
  if (uids.empty()) return out;
  for (auto r : normalize(set, uids.back())) {
    auto lo = std::lower_bound(uids.begin(), uids.end(), r.first);
    auto hi = std::upper_bound(lo, uids.end(), r.last);
    for (auto it = lo; it != hi; ++it) out.push_back(static_cast<std::uint32_t>(it - uids.begin()));
  }
  return out;
}

std::vector<std::uint32_t> select_sequence(sequence_set const& set, std::uint32_t count) {
  std::vector<std::uint32_t> out;
  for (auto r : normalize(set, count)) {
    for (std::uint64_t n = r.first; n <= std::min(r.last, count); ++n) out.push_back(static_cast<std::uint32_t>(n - 1));
  }
  return out;
}

std::string format_numbers(std::span<std::uint32_t const> ascending) {
  std::string out;
  for (std::size_t i = 0; i < ascending.size();) {
    std::size_t j = i;
    while (j + 1 < ascending.size() && ascending[j + 1] == ascending[j] + 1) ++j;
    if (!out.empty()) out.push_back(',');
    out += std::to_string(ascending[i]);
    if (j > i) {  // appended piece by piece: `":" + std::string` trips g++ 12's -Wrestrict at -O2
      out.push_back(':');
      out += std::to_string(ascending[j]);
    }
    i = j + 1;
  }
  return out;
}

std::string format_sequence_set(sequence_set const& set) {
  if (set.saved) return "$";
  std::string out;
  auto num = [](std::uint32_t n) { return n == seq_star ? std::string("*") : std::to_string(n); };
  for (auto const& r : set.ranges) {
    if (!out.empty()) out.push_back(',');
    out += num(r.first);
    if (r.last != r.first) {
      out.push_back(':');
      out += num(r.last);
    }
  }
  return out;
}

}  // namespace posta::mail::imap::proto
