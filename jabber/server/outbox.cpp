// The bounded send queue of a c2s session (STYLE.md "Sessions").
#include "jabber/server/outbox.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace posta::jabber::server {

outbox::outbox(asio::any_io_executor strand, std::size_t max_bytes)
    : strand_(strand), max_bytes_(max_bytes), wake_(strand, asio::steady_timer::time_point::max()) {}

void outbox::deliver(std::string bytes) {
  asio::post(strand_,
             [self = shared_from_this(), bytes = std::move(bytes)]() mutable { self->push(std::move(bytes)); });
}

void outbox::kick(proto::stream_condition c, std::string why) {
  asio::post(strand_, [self = shared_from_this(), c, why = std::move(why)] {
    if (!self->closed_ && self->on_fault_) self->on_fault_(c, why);
  });
}

void outbox::push(std::string bytes) {
  if (redirect_) return redirect_(std::move(bytes));
  if (closed_) return;
  // SECURITY: a consumer that does not read fills this; it is disconnected
  // rather than queued for without bound.
  if (bytes_ + held_bytes_ + bytes.size() > max_bytes_) {
    if (on_fault_) on_fault_(proto::stream_condition::policy_violation, "too slow to read its stanzas");
    // A session waiting to be resumed takes it elsewhere rather than lose it.
    if (redirect_) redirect_(std::move(bytes));
    return;
  }
  bytes_ += bytes.size();
  queue_.push_back(std::move(bytes));
  wake_.cancel();
}

asio::awaitable<std::optional<std::string>> outbox::next(std::chrono::steady_clock::duration idle) {
  auto pieces = co_await next_pieces(idle);
  if (!pieces) co_return std::nullopt;
  std::string out;
  std::size_t size = 0;
  for (auto const& piece : *pieces) size += piece.size();
  out.reserve(size);
  for (auto& piece : *pieces) out += piece;
  co_return out;
}

asio::awaitable<std::optional<stanza_queue>> outbox::next_pieces(std::chrono::steady_clock::duration idle) {
  while (queue_.empty() || paused_) {
    if (closed_ || paused_) co_return std::nullopt;
    if (idle == std::chrono::steady_clock::duration::zero())
      wake_.expires_at(asio::steady_timer::time_point::max());
    else
      wake_.expires_after(idle);
    auto [ec] = co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!ec && queue_.empty() && !closed_ && !paused_) co_return stanza_queue();  // idle: the caller may ping
  }
  co_return take_pending();
}

void outbox::close() {
  closed_ = true;
  wake_.cancel();
}

void outbox::pause() {
  paused_ = true;
  wake_.cancel();
}

stanza_queue outbox::take_pending() {
  stanza_queue out;
  out.swap(queue_);
  bytes_ = 0;
  return out;
}

void outbox::drop_pending() {
  queue_.clear();
  bytes_ = 0;
}

}  // namespace posta::jabber::server
