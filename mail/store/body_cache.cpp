#include "mail/store/body_cache.hpp"

#include <algorithm>

namespace posta::mail::store {

std::shared_ptr<std::string const> parsed_body::header() const {
  std::lock_guard lock(mutex_);
  return header_;
}

void parsed_body::set_header(std::string bytes) const {
  auto shared = std::make_shared<std::string const>(std::move(bytes));
  std::lock_guard lock(mutex_);
  if (!header_) header_ = std::move(shared);
}

std::shared_ptr<mime::search_text const> parsed_body::header_text() const {
  std::lock_guard lock(mutex_);
  return header_text_;
}

void parsed_body::set_header_text(std::shared_ptr<mime::search_text const> text) const {
  std::lock_guard lock(mutex_);
  if (!header_text_) header_text_ = std::move(text);
}

std::shared_ptr<parsed_body const> body_cache::find(std::string const& hash) {
  std::lock_guard lock(mutex_);
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->body;
}

void body_cache::insert(std::string const& hash, std::shared_ptr<parsed_body const> body, std::size_t stored_size) {
  // The parsed form takes about twice its JSON; the header and its search
  // text, filled later, about twice the header (capped like the header).
  auto const header = std::min<std::uint64_t>(body->structure().root.body_start, max_cached_header);
  std::size_t const cost = 2 * stored_size + 2 * static_cast<std::size_t>(header) + hash.size() + 256;
  std::lock_guard lock(mutex_);
  if (cost > max_bytes_ || by_hash_.contains(hash)) return;
  lru_.push_front({hash, std::move(body), cost});
  by_hash_.emplace(hash, lru_.begin());
  bytes_ += cost;
  evict_locked();
}

void body_cache::set_max_bytes(std::size_t max_bytes) {
  std::lock_guard lock(mutex_);
  max_bytes_ = max_bytes;
  evict_locked();
}

void body_cache::evict_locked() {
  while (bytes_ > max_bytes_ && !lru_.empty()) {
    bytes_ -= lru_.back().cost;
    by_hash_.erase(lru_.back().hash);
    lru_.pop_back();
  }
}

std::size_t body_cache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

std::size_t body_cache::entries() const {
  std::lock_guard lock(mutex_);
  return by_hash_.size();
}

}  // namespace posta::mail::store
