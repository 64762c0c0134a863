// Global connection bound and the descriptor limit: see connection_cap.hpp.
#include "core/net/connection_cap.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>

namespace posta::net {

struct connection_cap::state {
  std::atomic<std::size_t> max{0};
  std::atomic<std::size_t> used{0};
};

void connection_cap::slot::releaser::operator()(state* s) const { s->used.fetch_sub(1); }

connection_cap::slot::~slot() = default;

connection_cap::connection_cap(std::size_t max) : state_(std::make_shared<state>()) { set_max(max); }

void connection_cap::set_max(std::size_t max) { state_->max.store(max); }
std::size_t connection_cap::max() const { return state_->max.load(); }
std::size_t connection_cap::in_use() const { return state_->used.load(); }

std::size_t connection_cap::reserve_for(std::size_t max) { return std::clamp<std::size_t>(max / 10, 1, 1000); }

std::optional<connection_cap::slot> connection_cap::try_acquire(bool reserved) {
  std::size_t const max = state_->max.load();
  std::size_t limit = SIZE_MAX;
  if (max != 0) limit = reserved ? max : max - std::min(max, reserve_for(max));
  std::size_t used = state_->used.load();
  do {
    if (used >= limit) return std::nullopt;
  } while (!state_->used.compare_exchange_weak(used, used + 1));
  slot s(state_);
  s.held_.reset(state_.get());  // the shared_ptr above keeps the state alive
  return s;
}

std::size_t raise_descriptor_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 1024;
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  return lim.rlim_cur == RLIM_INFINITY ? SIZE_MAX / 4 : static_cast<std::size_t>(lim.rlim_cur);
}

std::size_t connections_for_descriptors(std::size_t descriptors) {
  constexpr std::size_t kept = 256;  // database pool, embedded PostgreSQL pipes, blob GC, logs
  if (descriptors <= kept + 32) return 16;
  return (descriptors - kept) / 2;
}

}  // namespace posta::net
