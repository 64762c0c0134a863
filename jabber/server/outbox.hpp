// The bounded queue between everything that sends to one c2s session (its
// own reader, other sessions through the router) and that session's writer
// coroutine (STYLE.md "Sessions"). A consumer too slow to read overflows it
// and is disconnected, so a session's memory stays bounded.
#pragma once

#include "core/util/async.hpp"
#include "jabber/proto/stream_error.hpp"
#include "jabber/server/stanza_queue.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
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
  // The same, piece by piece as pushed (XEP-0198 counts each stanza);
  // an empty queue when nothing came for `idle`.
  asio::awaitable<std::optional<stanza_queue>> next_pieces(std::chrono::steady_clock::duration idle = {});
  void close();         // the writer drains what is queued, then ends
  void drop_pending();  // forget what is queued (an overflow: it will not be read)
  bool is_closed() const { return closed_; }

  // XEP-0198 (server/session_sm.cpp). The writer ends (next() gives nullopt)
  // but pushes still queue, for a session that waits to be resumed.
  void pause();
  void unpause() { paused_ = false; }
  stanza_queue take_pending();  // what is queued, now the caller's
  // From now on every push goes to `to` (on the strand), not the queue: a
  // resumed session's new outbox, or the redelivery of an ended one.
  void redirect(std::function<void(std::string)> to) { redirect_ = std::move(to); }
  // SECURITY: bytes the session keeps elsewhere (unacknowledged stanzas,
  // presence held for an inactive client) count toward `max_bytes` too.
  void set_held_bytes(std::size_t n) { held_bytes_ = n; }
  bool is_over_bound() const { return bytes_ + held_bytes_ > max_bytes_; }

 private:
  asio::any_io_executor strand_;
  std::size_t max_bytes_;
  stanza_queue queue_;
  std::size_t bytes_ = 0;
  bool closed_ = false;
  bool paused_ = false;
  std::size_t held_bytes_ = 0;
  std::function<void(std::string)> redirect_;
  asio::steady_timer wake_;
  fault_fn on_fault_;
};

}  // namespace posta::jabber::server
