// COPY (RFC 3501 6.4.7), MOVE (RFC 6851) and their UID forms, with
// UIDPLUS's COPYUID (RFC 4315 3), [TRYCREATE] and [OVERQUOTA]. The blobs are
// shared, not copied. COPY is all or nothing (RFC 3501 6.4.7): a message
// another session expunged, which this client still numbers, makes it
// NO [EXPUNGEISSUED] with nothing copied (RFC 5530, RFC 2180 4.4.1).
#include "mail/imap/proto/response.hpp"
#include "mail/imap/proto/sequence_set.hpp"
#include "mail/imap/server/session.hpp"
#include "mail/store/mailbox_store.hpp"

namespace posta::mail::imap::server {

asio::awaitable<bool> session::on(std::string const& tag, proto::copy_cmd& c) {
  auto const what = c.move ? "MOVE" : "COPY";
  auto positions = resolve(tag, c.set, c.uid);
  if (!positions) co_return true;
  if (c.move && read_only_) {
    no(tag, "Mailbox is read-only", "READ-ONLY");
    co_return true;
  }
  if (!c.uid)
    for (auto p : *positions)
      if (selected_->is_expunged(p)) {
        no(tag, "Some of the messages no longer exist", "EXPUNGEISSUED");
        co_return true;
      }
  auto to = co_await mailbox_id_of(tag, c.mailbox, true, what);
  if (!to) co_return true;
  auto uids = uid_set_of(*positions);
  if (uids.empty()) {
    ok(tag, std::string(what) + " completed");  // RFC 3501: nothing to copy is no error
    co_return true;
  }
  // DURABILITY: committed before COPYUID and OK.
  result<store::copy_result> r = store::copy_result{};
  if (c.move) r = co_await ctx_.mailboxes->move(box_, uids, *to);
  else r = co_await ctx_.mailboxes->copy(box_, uids, *to);
  if (!r) {
    store_failed(tag, r.error(), what);
    co_return true;
  }
  // This node's other sessions read the change now, not when its NOTIFY
  // comes back: a client's next command on another connection sees it.
  changed_here(*to);
  if (c.move) changed_here(box_.mailbox_id);
  std::string code;
  if (!r->source_uids.empty())
    code = "COPYUID " + std::to_string(r->uidvalidity) + " " + proto::format_numbers(r->source_uids) + " " +
           proto::format_numbers(r->dest_uids);
  if (c.move) {
    // RFC 6851 4.3: COPYUID in an untagged OK, then the expunges.
    if (!code.empty()) send(proto::untagged_status(proto::status::ok, code, "Moved"));
    for (auto uid : r->expunged.uids) selected_->on_expunged(uid);
    send(announce_now(true));
    ok(tag, "MOVE completed");
  } else {
    if (*to == box_.mailbox_id) {
      bool go_on = co_await announce_changes(true);
      if (!go_on) co_return false;
    }
    ok(tag, "COPY completed", code);
  }
  co_return true;
}

}  // namespace posta::mail::imap::server
