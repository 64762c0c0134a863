// The bounded queue between everything that sends to one c2s session (its
// own reader, other sessions through the router) and that session's writer
// coroutine (STYLE.md "Sessions"). A consumer too slow to read overflows it
// and is disconnected, so a session's memory stays bounded.
#pragma once

#include "core/util/async.hpp"
#include "jabber/proto/stream_error.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace posta::jabber::server {

class outbox : public std::enable_shared_from_this<outbox> {
 public:
  // Told (on the strand) why the session must end: an overflow or a kick.
  using fault_fn = std::function<void(proto::stream_condition, std::string_view why)>;

  // SECURITY: `max_bytes` bounds what waits for the writer.
  outbox(asio::any_io_executor strand, std::size_t max_bytes);

  // From any thread: queued on the session's strand. Dropped once closed.
  void deliver(std::string bytes);
  // From any thread: the session ends with this stream error (a newer
  // session took the resource: conflict, RFC 6120 section 7.7.2.2).
  void kick(proto::stream_condition c, std::string why);

  // On the strand only.
  void push(std::string bytes);
  void set_on_fault(fault_fn f) { on_fault_ = std::move(f); }
  // Everything queued, in one piece; nullopt once closed and drained; ""
  // when nothing came for `idle` (zero: wait without end).
  asio::awaitable<std::optional<std::string>> next(std::chrono::steady_clock::duration idle = {});
  void close();         // the writer drains what is queued, then ends
  void drop_pending();  // forget what is queued (an overflow: it will not be read)
  bool is_closed() const { return closed_; }

 private:
  asio::any_io_executor strand_;
  std::size_t max_bytes_;
  std::deque<std::string> queue_;
  std::size_t bytes_ = 0;
  bool closed_ = false;
  asio::steady_timer wake_;
  fault_fn on_fault_;
};

}  // namespace posta::jabber::server
