// The node's resumable XEP-0198 streams (section 5).
#include "jabber/server/resumption.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace posta::jabber::server {
namespace {

// Runs on the old session's strand, where that session is destroyed: a
// weak_ptr that locks here means the session is alive for the call.
asio::awaitable<handover_result> take_on_strand(std::weak_ptr<handover_fn> take, handover_request r) {
  auto fn = take.lock();
  if (!fn) co_return handover_result{};
  co_return (*fn)(std::move(r));
}

}  // namespace

void resumption_table::add(std::string const& id, entry e) {
  std::lock_guard lock(mutex_);
  entries_[id] = std::move(e);
}

void resumption_table::remove(std::string const& id, handover_fn const* owner) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  auto held = it->second.take.lock();
  if (held && held.get() != owner) return;
  entries_.erase(it);
}

std::optional<resumption_table::entry> resumption_table::find(std::string const& id) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

bool resumption_table::try_park(std::size_t max) {
  std::lock_guard lock(mutex_);
  if (parked_ >= max) return false;
  ++parked_;
  return true;
}

void resumption_table::unpark() {
  std::lock_guard lock(mutex_);
  if (parked_ > 0) --parked_;
}

asio::awaitable<handover_result> resumption_table::hand_over(entry e, handover_request r) {
  auto strand = e.strand;
  auto on_strand = take_on_strand(std::move(e.take), std::move(r));
  auto result = co_await asio::co_spawn(strand, std::move(on_strand), asio::use_awaitable);
  co_return result;
}

}  // namespace posta::jabber::server
