// APPEND (RFC 3501 6.3.11) with MULTIAPPEND (RFC 3502: all or none),
// UIDPLUS's APPENDUID (RFC 4315 3), APPENDLIMIT (RFC 7889: the literal was
// judged before it was read) and QUOTA's [OVERQUOTA] (RFC 9208 4.3). Large
// messages arrive already streamed into blob writers (append_streams).
#include "core/journal/journal.hpp"
#include "mail/imap/proto/response.hpp"
#include "mail/imap/proto/sequence_set.hpp"
#include "mail/imap/server/session.hpp"
#include "mail/store/ingest.hpp"
#include "mail/store/mailbox_store.hpp"

namespace posta::mail::imap::server {

asio::awaitable<bool> session::on(std::string const& tag, proto::append_cmd& c) {
  auto id = co_await mailbox_id_of(tag, c.mailbox, true, "APPEND");
  if (!id) co_return true;
  std::vector<store::append_item> items;
  for (auto& m : c.messages) {
    auto flags = store::normalise_flags(m.flags);
    if (!flags) {
      bad(tag, "Invalid flag: " + flags.error().context);
      co_return true;
    }
    if (!m.streamed && m.data.empty()) {
      no(tag, "Empty message", "CANNOT");
      co_return true;
    }
    // The blob is written (a large one to a fsynced file) and parsed once;
    // a streamed one is in its writer already, a file past the inline limit.
    result<store::ingested> in = make_error(errc::internal, "no message");
    if (m.streamed) {
      bool nul = false;
      auto* w = append_streams_.writer(*m.streamed, &nul);
      if (nul) {
        bad(tag, "APPEND: expected literal without NUL (use literal8)");
        co_return true;
      }
      if (w) in = co_await store::ingest(*w, *ctx_.blobs);
      else in = make_error(errc::io_error, "writing the message failed");
    } else {
      in = co_await store::ingest_text(m.data, *ctx_.blobs);
    }
    if (!in) {
      store_failed(tag, in.error(), "APPEND");
      co_return true;
    }
    std::optional<std::int64_t> date;
    if (m.internal_date) date = m.internal_date->utc.time_since_epoch().count();
    items.push_back({std::move(in->blob), std::move(in->structure_json), std::move(*flags), date});
    m.data = std::string();  // the literal is no longer needed
  }
  // DURABILITY: committed (and the file bodies fsynced by ingest) before the
  // OK; on a crash before the commit the client hears nothing and stores it
  // again, and a body file already renamed into place is an orphan that
  // garbage collection removes after its grace period. A client that drops
  // mid-literal never gets here: its writers' temporary files are removed
  // with the session (append_streams::discard).
  auto r = co_await ctx_.mailboxes->append({account_id_, *id}, std::move(items));
  if (!r) {
    store_failed(tag, r.error(), "APPEND");
    co_return true;
  }
  if (selected_ && box_.mailbox_id == *id) {
    changed_here(*id);
    co_await announce_changes(true);
  }
  ok(tag, "APPEND completed",
     "APPENDUID " + std::to_string(r->uidvalidity) + " " + proto::format_numbers(r->uids));
  co_return true;
}

}  // namespace posta::mail::imap::server
