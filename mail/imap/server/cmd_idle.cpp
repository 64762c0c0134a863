// IDLE (RFC 2177, RFC 9051 6.3.13): "+ idling", then the changes of the
// selected mailbox as they happen (the store's change watcher, fed by
// PostgreSQL NOTIFY, so within a moment also across nodes) until DONE.
// While idling a second coroutine on the session's strand waits for the
// watcher and writes the updates; the reader waits for DONE at the same
// time. DONE cancels the watcher's wait, so the OK follows at once and no
// timer wakes an idle connection (the only timer is the idle timeout).
#include "mail/imap/proto/response.hpp"
#include "mail/imap/server/session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace posta::mail::imap::server {
namespace {

bool is_done(std::string const& line) {
  if (line.size() != 4) return false;
  std::string lower;
  for (char c : line) lower.push_back(static_cast<char>(c | 0x20));
  return lower == "done";
}
}  // namespace

struct session::idle_state {
  explicit idle_state(asio::any_io_executor ex) : done(ex, std::chrono::steady_clock::time_point::max()) {}
  bool idling = true;
  bool ended = false;
  asio::steady_timer done;  // cancelled when the watcher ends
};

asio::awaitable<void> session::idle_watch(idle_state& st) {
  while (st.idling && stream_.is_open()) {
    // Bounded by the idle timeout, which also ends the reader.
    bool changed = co_await watch_.wait(read_timeout());
    if (!st.idling || !changed) continue;
    auto r = co_await refresh();
    if (mailbox_deleted_) {
      stream_.cancel();  // the reader ends; run() says BYE
      break;
    }
    if (!r || !st.idling) continue;
    send(announce_now(true));
    bool flushed = co_await flush();
    if (!flushed) break;
  }
  st.ended = true;
  st.done.cancel();
}

asio::awaitable<bool> session::idle(std::string const& tag) {
  if (selected_) {
    bool go_on = co_await announce_changes(true);
    if (!go_on) co_return false;
  }
  send(proto::continuation("idling"));
  bool flushed = co_await flush();
  if (!flushed) co_return false;
  idle_state st(stream_.get_executor());
  if (selected_ && watching_) asio::co_spawn(stream_.get_executor(), idle_watch(st), asio::detached);
  else st.ended = true;
  auto line = co_await read_raw_line();
  st.idling = false;
  watch_.cancel_wait();
  if (!st.ended) co_await st.done.async_wait(asio::as_tuple(asio::use_awaitable));
  if (!line) co_return false;
  if (!is_done(*line)) {
    bad(tag, "Expected DONE");
    co_return true;
  }
  if (selected_) {
    bool go_on = co_await announce_changes(true);
    if (!go_on) co_return false;
  }
  ok(tag, "IDLE terminated");
  co_return true;
}

}  // namespace posta::mail::imap::server
