// EXPUNGE (RFC 3501 6.4.3) and UID EXPUNGE (RFC 4315 2.1): \Deleted
// messages removed, each announced with EXPUNGE (or VANISHED under QRESYNC).
#include "mail/imap/server/session.hpp"
#include "mail/store/mailbox_store.hpp"

namespace posta::mail::imap::server {

asio::awaitable<bool> session::expunge_messages(std::string const& tag, std::optional<store::uid_set> only) {
  if (read_only_) {
    no(tag, "Mailbox is read-only", "READ-ONLY");
    co_return true;
  }
  // DURABILITY: committed before the EXPUNGE responses and the OK.
  auto r = co_await ctx_.mailboxes->expunge(box_, std::move(only));
  if (!r) {
    store_failed(tag, r.error(), "EXPUNGE");
    co_return true;
  }
  for (auto uid : r->uids) selected_->on_expunged(uid);
  changed_here(box_.mailbox_id);
  auto ch = co_await refresh();  // other changes may be told now too
  (void)ch;
  send(announce_now(true));
  auto const code = condstore_ ? "HIGHESTMODSEQ " + std::to_string(selected_->highestmodseq()) : std::string();
  ok(tag, "EXPUNGE completed", code);
  co_return true;
}

asio::awaitable<bool> session::on(std::string const& tag, proto::uid_expunge_cmd& c) {
  auto positions = resolve(tag, c.uids, true);
  if (!positions) co_return true;
  auto uids = uid_set_of(*positions);
  if (uids.empty()) {
    ok(tag, "UID EXPUNGE completed");
    co_return true;
  }
  bool go_on = co_await expunge_messages(tag, std::move(uids));
  co_return go_on;
}

// The 0-based positions of the set; "$" is the saved SEARCH result.
std::optional<std::vector<std::uint32_t>> session::resolve(std::string const& tag, proto::sequence_set const& set,
                                                           bool uid) {
  if (set.saved) {
    // RFC 5182 2.1: "$" names the saved messages, those still there.
    std::vector<std::uint32_t> out;
    for (auto u : saved_uids_)
      if (auto p = selected_->position_of(u)) out.push_back(*p);
    return out;
  }
  if (uid) return proto::select_uids(set, selected_->uids());
  if (!proto::is_within(set, selected_->count())) {
    bad(tag, "Invalid sequence set: message number beyond the last message");
    return std::nullopt;
  }
  return proto::select_sequence(set, selected_->count());
}

// Ascending UID ranges of the positions (ascending), without the messages
// expunged meanwhile.
store::uid_set session::uid_set_of(std::vector<std::uint32_t> const& positions, bool skip_expunged) const {
  store::uid_set out;
  for (auto p : positions) {
    if (skip_expunged && selected_->is_expunged(p)) continue;
    auto uid = selected_->uid_at(p);
    if (!out.empty() && out.back().last + 1 == uid) out.back().last = uid;
    else out.push_back({uid, uid});
  }
  return out;
}

}  // namespace posta::mail::imap::server
