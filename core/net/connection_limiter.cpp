// Per-address and global connection counting: see connection_limiter.hpp.
#include "core/net/connection_limiter.hpp"

#include <map>
#include <mutex>

namespace posta::net {
namespace ip = boost::asio::ip;

struct connection_limiter::state {
  mutable std::mutex mutex;
  std::size_t max_per_ip;
  std::size_t max_total;
  std::size_t total = 0;
  std::map<ip::address, std::size_t> per_ip;

  void release(ip::address const& key) {
    std::lock_guard lock(mutex);
    auto it = per_ip.find(key);
    if (it == per_ip.end()) return;
    if (--it->second == 0) per_ip.erase(it);
    --total;
  }
};

connection_limiter::guard::guard(std::shared_ptr<state> s, ip::address key)
    : state_(std::move(s)), key_(key) {}

connection_limiter::guard& connection_limiter::guard::operator=(guard&& other) noexcept {
  if (this != &other) {
    release();
    state_ = std::move(other.state_);
    key_ = other.key_;
  }
  return *this;
}

connection_limiter::guard::~guard() { release(); }

void connection_limiter::guard::release() {
  if (state_) state_->release(key_);
  state_.reset();
}

connection_limiter::connection_limiter(std::size_t max_per_ip, std::size_t max_total)
    : state_(std::make_shared<state>()) {
  state_->max_per_ip = max_per_ip;
  state_->max_total = max_total;
}

ip::address connection_limiter::counting_key(ip::address const& peer) {
  if (peer.is_v4()) return peer;
  auto const v6 = peer.to_v6();
  if (v6.is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, v6);
  auto bytes = v6.to_bytes();
  for (std::size_t i = 8; i < bytes.size(); ++i) bytes[i] = 0;  // keep the /64
  return ip::address_v6(bytes);
}

result<connection_limiter::guard> connection_limiter::try_acquire(ip::address const& peer) {
  auto const key = counting_key(peer);
  std::lock_guard lock(state_->mutex);
  if (state_->max_total != 0 && state_->total >= state_->max_total)
    return make_error(errc::limit_exceeded, "too many connections in total");
  auto& n = state_->per_ip[key];
  if (state_->max_per_ip != 0 && n >= state_->max_per_ip) {
    if (n == 0) state_->per_ip.erase(key);
    return make_error(errc::limit_exceeded, "too many connections from " + key.to_string());
  }
  ++n;
  ++state_->total;
  return guard(state_, key);
}

void connection_limiter::set_max_per_ip(std::size_t n) {
  std::lock_guard lock(state_->mutex);
  state_->max_per_ip = n;
}

void connection_limiter::set_max_total(std::size_t n) {
  std::lock_guard lock(state_->mutex);
  state_->max_total = n;
}

std::size_t connection_limiter::count(ip::address const& peer) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->per_ip.find(counting_key(peer));
  return it == state_->per_ip.end() ? 0 : it->second;
}

std::size_t connection_limiter::total() const {
  std::lock_guard lock(state_->mutex);
  return state_->total;
}

}  // namespace posta::net
