// The sessions that must say goodbye when the server stops (SMTP now, IMAP,
// POP3 and XMPP later): shutdown tells each one on its own strand, then waits
// until all have ended or a grace period has passed.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace posta::net {

class session_registry {
 public:
  // force == false: finish what is in progress, then end (an idle session
  // ends at once with its protocol's goodbye); force == true: close now.
  using stop_fn = std::function<void(bool force)>;

  // Registered while alive; move-only.
  class handle {
   public:
    handle() = default;
    handle(handle&& o) noexcept : owner_(o.owner_), id_(o.id_) { o.owner_ = nullptr; }
    handle& operator=(handle&& o) noexcept {
      if (this != &o) {
        reset();
        owner_ = o.owner_;
        id_ = o.id_;
        o.owner_ = nullptr;
      }
      return *this;
    }
    handle(handle const&) = delete;
    ~handle() { reset(); }
    void reset();

   private:
    friend class session_registry;
    handle(session_registry* owner, std::uint64_t id) : owner_(owner), id_(id) {}
    session_registry* owner_ = nullptr;
    std::uint64_t id_ = 0;
  };

  // `on_stop` runs on `strand`, the session's own, so it may touch the
  // session freely; the handle must be destroyed on that strand too (it is,
  // as a member of the session). A session added after shutdown began is
  // told at once.
  handle add(boost::asio::any_io_executor strand, stop_fn on_stop);

  void begin_shutdown();  // every session: on_stop(false)
  void force_close();     // every session still there: on_stop(true)
  bool is_stopping() const;
  std::size_t size() const;

  // Returns once no session is left (true) or `timeout` has passed (false).
  boost::asio::awaitable<bool> wait_until_empty(std::chrono::steady_clock::duration timeout);

 private:
  struct entry {
    boost::asio::any_io_executor strand;
    stop_fn on_stop;
  };
  void tell(std::uint64_t id, boost::asio::any_io_executor const& strand, bool force);
  void remove(std::uint64_t id);

  mutable std::mutex mutex_;
  std::map<std::uint64_t, entry> entries_;
  std::uint64_t next_id_ = 1;
  bool stopping_ = false;
};

}  // namespace posta::net
