// STORE and UID STORE (RFC 3501 6.4.6) with .SILENT, and CONDSTORE's
// UNCHANGEDSINCE (RFC 7162 3.1.3): messages changed meanwhile are left alone
// and named in [MODIFIED ...]. A message another session expunged, which
// this client still numbers, cannot take flags: the others do, and the OK
// carries [EXPUNGEISSUED] (RFC 5530, RFC 2180 4.2.1).
#include "mail/imap/proto/response.hpp"
#include "mail/imap/proto/sequence_set.hpp"
#include "mail/imap/server/session.hpp"
#include "mail/store/mailbox_store.hpp"

#include <algorithm>

namespace posta::mail::imap::server {
namespace {

store::store_mode mode_of(proto::store_mode m) {
  switch (m) {
    case proto::store_mode::add: return store::store_mode::add;
    case proto::store_mode::remove: return store::store_mode::remove;
    case proto::store_mode::replace: return store::store_mode::replace;
  }
  return store::store_mode::replace;
}

}  // namespace

asio::awaitable<bool> session::on(std::string const& tag, proto::store_cmd& c) {
  auto positions = resolve(tag, c.set, c.uid);
  if (!positions) co_return true;
  if (read_only_) {
    no(tag, "Mailbox is read-only", "READ-ONLY");
    co_return true;
  }
  auto flags = store::normalise_flags(c.flags);
  if (!flags) {
    bad(tag, "Invalid flag: " + flags.error().context);
    co_return true;
  }
  if (c.unchanged_since) condstore_ = true;
  auto uids = uid_set_of(*positions);
  bool const expunged = !c.uid && std::any_of(positions->begin(), positions->end(),
                                              [&](std::uint32_t p) { return selected_->is_expunged(p); });
  std::optional<std::int64_t> since;
  if (c.unchanged_since) since = static_cast<std::int64_t>(*c.unchanged_since);
  store::store_result r;
  if (!uids.empty()) {
    // DURABILITY: committed before any response about it.
    auto done = co_await ctx_.mailboxes->store_flags(box_, uids, mode_of(c.mode), *flags, since);
    if (!done) {
      store_failed(tag, done.error(), "STORE");
      co_return true;
    }
    r = std::move(*done);
    // As for COPY: this node's other sessions see the new flags at once.
    if (!r.modified.empty()) changed_here(box_.mailbox_id);
  }
  // Asked for but neither changed, nor already so, nor refused: gone.
  std::size_t asked = 0;
  for (auto const& u : uids) asked += std::size_t{u.last} - u.first + 1;
  bool const gone = !c.uid && r.modified.size() + r.unchanged.size() + r.failed.size() < asked;
  std::vector<std::uint32_t> told;
  for (auto& m : r.modified) {
    selected_->on_flags(m.uid, static_cast<std::uint64_t>(m.modseq), std::move(m.flags), true);
    told.push_back(m.uid);
  }
  for (auto const& m : r.unchanged) told.push_back(m.uid);
  std::sort(told.begin(), told.end());
  for (auto uid : told) {
    auto p = selected_->position_of(uid);
    // RFC 7162 3.1.3: even .SILENT reports the new MODSEQ under CONDSTORE.
    if (!p || (c.silent && !c.unchanged_since)) continue;
    std::string line = std::to_string(*p + 1) + " FETCH (";
    if (!c.silent) line += "FLAGS " + flags_text(*p) + " ";
    if (c.uid) line += "UID " + std::to_string(uid) + " ";
    if (condstore_) line += "MODSEQ (" + std::to_string(selected_->modseq_at(*p)) + ") ";
    line.back() = ')';
    send(proto::untagged(line));
  }
  std::string code;
  if (!r.failed.empty()) {
    std::vector<std::uint32_t> ids;
    for (auto uid : r.failed) {
      if (c.uid) ids.push_back(uid);
      else if (auto p = selected_->position_of(uid)) ids.push_back(*p + 1);
    }
    std::sort(ids.begin(), ids.end());
    code = "MODIFIED " + proto::format_numbers(ids);
  } else if (expunged || gone) {
    code = "EXPUNGEISSUED";
  }
  ok(tag, std::string(c.uid ? "UID STORE" : "STORE") + " completed", code);
  co_return true;
}

}  // namespace posta::mail::imap::server
