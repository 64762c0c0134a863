// The global bound on open connections, all listeners together, kept below
// the process's descriptor limit. The last tenth of it is a reserve that only
// listeners marked `reserved` (the admin/HTTP listener) may use, so that an
// administrator can still reach the server while mail listeners are saturated.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>

namespace posta::net {

class connection_cap {
  struct state;

 public:
  // One open connection; released when destroyed. Move-only.
  class slot {
   public:
    slot() = default;
    slot(slot&&) noexcept = default;
    slot& operator=(slot&&) noexcept = default;
    ~slot();

   private:
    friend class connection_cap;
    explicit slot(std::shared_ptr<state> s) : state_(std::move(s)) {}
    struct releaser {
      void operator()(state* s) const;
    };
    std::shared_ptr<state> state_;
    std::unique_ptr<state, releaser> held_;
  };

  // SECURITY: `max` connections at most; 0 means no bound.
  explicit connection_cap(std::size_t max);

  void set_max(std::size_t max);
  std::size_t max() const;
  std::size_t in_use() const;

  // A slot, or nullopt when the cap is reached (for ordinary listeners: the
  // cap less the reserve).
  std::optional<slot> try_acquire(bool reserved);

  // SECURITY: the part of `max` kept for reserved listeners: a tenth, at
  // least one, at most 1000.
  static std::size_t reserve_for(std::size_t max);

 private:
  std::shared_ptr<state> state_;
};

// Raises the soft RLIMIT_NOFILE to the hard limit (start-up); returns the
// soft limit now in force.
std::size_t raise_descriptor_limit();

// How many connections `descriptors` can carry: each may hold a second
// descriptor (a message being written to disk), and some are kept for the
// database pool, blob files and logs.
std::size_t connections_for_descriptors(std::size_t descriptors);

}  // namespace posta::net
