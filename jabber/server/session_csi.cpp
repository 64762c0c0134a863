// XEP-0352 client state indication: while the client says it is inactive,
// presence updates for it (available and unavailable, not subscription
// requests) are held, only the latest per sender, and flushed when it
// becomes active; messages and everything else go out at once. The writer
// asks hold_presence() for each presence it would write.
#include "jabber/proto/namespaces.hpp"
#include "jabber/proto/stream_management.hpp"
#include "jabber/server/session.hpp"

namespace posta::jabber::server {
namespace {

// SECURITY: senders whose latest presence is held for an inactive client;
// past it presence is written at once. The held bytes count toward the
// outbox bound.
constexpr std::size_t max_held_presences = 1000;

}  // namespace

bool session::on_csi(gloox::Tag& tag) {
  if (tag.name() == "inactive") {
    csi_.inactive = true;
  } else if (tag.name() == "active" && csi_.inactive) {
    csi_.inactive = false;
    flush_held();
  }
  return true;
}

bool session::hold_presence(std::string& piece) {
  auto const type = proto::start_tag_attribute(piece, "type");
  if (type && *type != "unavailable") return false;  // subscriptions, errors, probes: at once
  auto from = proto::start_tag_attribute(piece, "from").value_or(std::string());
  auto it = csi_.held.find(from);
  if (it == csi_.held.end()) {
    if (csi_.held.size() >= max_held_presences) return false;
    it = csi_.held.emplace(std::move(from), std::string()).first;
  }
  csi_.held_bytes -= it->second.size();
  csi_.held_bytes += piece.size();
  it->second = std::move(piece);
  return true;
}

void session::flush_held() {
  if (!outbox_) return;
  // Held presence is older than what waits in the outbox: it goes first.
  auto pending = outbox_->take_pending();
  auto held = std::exchange(csi_.held, {});
  csi_.held_bytes = 0;
  update_held_bytes();
  for (auto& [from, p] : held) outbox_->push(std::move(p));
  for (auto& p : pending) outbox_->push(std::move(p));
}

}  // namespace posta::jabber::server
