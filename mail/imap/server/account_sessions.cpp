// Counting authenticated IMAP sessions per account.
#include "mail/imap/server/account_sessions.hpp"

namespace posta::mail::imap::server {

struct account_sessions::state {
  std::mutex mutex;
  std::size_t max = 0;
  std::map<std::int64_t, std::size_t> counts;
};

account_sessions::account_sessions(std::size_t max_per_account) : state_(std::make_shared<state>()) {
  state_->max = max_per_account;
}

void account_sessions::set_max(std::size_t max_per_account) {
  std::lock_guard lock(state_->mutex);
  state_->max = max_per_account;
}

std::optional<account_sessions::slot> account_sessions::try_acquire(std::int64_t account) {
  std::lock_guard lock(state_->mutex);
  auto& n = state_->counts[account];
  if (state_->max != 0 && n >= state_->max) {
    if (n == 0) state_->counts.erase(account);
    return std::nullopt;
  }
  ++n;
  return slot(state_, account);
}

std::size_t account_sessions::count(std::int64_t account) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->counts.find(account);
  return it == state_->counts.end() ? 0 : it->second;
}

account_sessions::slot& account_sessions::slot::operator=(slot&& o) noexcept {
  if (this != &o) {
    release();
    state_ = std::move(o.state_);
    account_ = o.account_;
  }
  return *this;
}

account_sessions::slot::~slot() { release(); }

void account_sessions::slot::release() noexcept {
  if (!state_) return;
  std::lock_guard lock(state_->mutex);
  auto it = state_->counts.find(account_);
  if (it != state_->counts.end() && --it->second == 0) state_->counts.erase(it);
  state_.reset();
}

}  // namespace posta::mail::imap::server
