// A process-wide budget of bytes that many holders share (message bodies kept
// in RAM during SMTP DATA), with RAII reservations that grow as a holder needs
// more and give everything back when destroyed. Thread-safe, lock-free.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>

namespace posta::util {

class memory_budget {
  struct state {
    std::atomic<std::size_t> limit{0};
    std::atomic<std::size_t> used{0};
  };

 public:
  class reservation {
   public:
    reservation() = default;
    reservation(reservation&& o) noexcept : state_(std::move(o.state_)), held_(o.held_) { o.held_ = 0; }
    reservation& operator=(reservation&& o) noexcept {
      if (this != &o) {
        release();
        state_ = std::move(o.state_);
        held_ = o.held_;
        o.held_ = 0;
      }
      return *this;
    }
    ~reservation() { release(); }

    // Takes n more bytes from the budget; false (and nothing taken) when
    // that would go past the limit.
    bool grow(std::size_t n) {
      if (!state_) return false;
      auto used = state_->used.load();
      do {
        if (used + n > state_->limit.load() || used + n < used) return false;
      } while (!state_->used.compare_exchange_weak(used, used + n));
      held_ += n;
      return true;
    }
    void release() {
      if (state_ && held_) state_->used.fetch_sub(held_);
      held_ = 0;
    }
    std::size_t held() const { return held_; }

   private:
    friend class memory_budget;
    explicit reservation(std::shared_ptr<state> s) : state_(std::move(s)) {}
    std::shared_ptr<state> state_;
    std::size_t held_ = 0;
  };

  explicit memory_budget(std::size_t limit) : state_(std::make_shared<state>()) { set_limit(limit); }

  // A lower limit applies to new growth; what is held stays held.
  void set_limit(std::size_t limit) { state_->limit.store(limit); }
  std::size_t limit() const { return state_->limit.load(); }
  std::size_t used() const { return state_->used.load(); }

  reservation reserve() { return reservation(state_); }

 private:
  std::shared_ptr<state> state_;
};

}  // namespace posta::util
