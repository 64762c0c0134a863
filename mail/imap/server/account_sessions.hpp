// SECURITY: the bound on concurrent IMAP sessions per account
// (imap.max_sessions_per_account): a leaked password or a misbehaving client
// cannot open thousands of authenticated sessions for one mailbox.
// Thread-safe: sessions of one account run on different strands.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

namespace posta::mail::imap::server {

class account_sessions {
  struct state;

 public:
  // One authenticated session; released when destroyed. Move-only.
  class slot {
   public:
    slot() = default;
    slot(slot&&) noexcept = default;
    slot& operator=(slot&&) noexcept;
    slot(slot const&) = delete;
    ~slot();

   private:
    friend class account_sessions;
    slot(std::shared_ptr<state> s, std::int64_t account) : state_(std::move(s)), account_(account) {}
    void release() noexcept;
    std::shared_ptr<state> state_;
    std::int64_t account_ = 0;
  };

  explicit account_sessions(std::size_t max_per_account);

  void set_max(std::size_t max_per_account);  // 0: unlimited
  // A slot, or nullopt when the account already has the maximum.
  std::optional<slot> try_acquire(std::int64_t account);
  std::size_t count(std::int64_t account) const;

 private:
  std::shared_ptr<state> state_;
};

}  // namespace posta::mail::imap::server
