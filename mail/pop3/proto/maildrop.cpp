// The session's maildrop snapshot and its deletion marks (RFC 1939 5-7).
#include "mail/pop3/proto/maildrop.hpp"

#include <cstdlib>

namespace posta::mail::pop3::proto {
namespace {
void require(bool condition) {
  if (!condition) std::abort();  // a caller's bug: the state machine checks numbers first
}
}  // namespace

maildrop::maildrop(std::int64_t uidvalidity, std::vector<maildrop_entry> entries)
    : uidvalidity_(uidvalidity), entries_(std::move(entries)), deleted_(entries_.size(), false) {
  for (auto const& e : entries_) total_octets_ += e.size;
}

bool maildrop::is_listed(std::uint32_t n) const noexcept {
  return n >= 1 && n <= entries_.size() && !deleted_[n - 1];
}

bool maildrop::is_deleted(std::uint32_t n) const noexcept {
  return n >= 1 && n <= entries_.size() && deleted_[n - 1];
}

maildrop_entry const& maildrop::at(std::uint32_t n) const {
  require(n >= 1 && n <= entries_.size());
  return entries_[n - 1];
}

std::string maildrop::unique_id(std::uint32_t n) const {
  return std::to_string(uidvalidity_) + "." + std::to_string(at(n).uid);
}

void maildrop::mark_deleted(std::uint32_t n) {
  require(is_listed(n));
  deleted_[n - 1] = true;
  ++deleted_count_;
  deleted_octets_ += entries_[n - 1].size;
}

void maildrop::reset() {
  deleted_.assign(entries_.size(), false);
  deleted_count_ = 0;
  deleted_octets_ = 0;
}

std::vector<std::uint32_t> maildrop::deleted_uids() const {
  std::vector<std::uint32_t> out;
  for (std::size_t i = 0; i < entries_.size(); ++i)
    if (deleted_[i]) out.push_back(entries_[i].uid);
  return out;
}

}  // namespace posta::mail::pop3::proto
