// SELECT and EXAMINE (RFC 3501 6.3.1/6.3.2, RFC 9051 6.3.2/6.3.3, RFC 7162
// 3.1.8 CONDSTORE and 3.2.5 QRESYNC), CLOSE, UNSELECT (RFC 3691), EXPUNGE,
// UID EXPUNGE (RFC 4315), \Recent (RFC 3501 2.3.2), and the untagged
// responses for changes made elsewhere at the points RFC 3501 7 allows them.
//
// The selected mailbox deleted elsewhere (another session, another node,
// the administrator deleting the account): the session hears of it through
// the watcher (the schema notifies every removed mailbox row) and says
// "* BYE" and ends, as Dovecot does; RFC 3501/9051 have no way to leave the
// selected state unasked, and BYE may come at any time (RFC 9051 7.1.5).
// Renamed elsewhere: the mailbox is the same one (same UIDVALIDITY, same
// UIDs, RFC 3501 6.3.5 / RFC 9051 6.3.6), so the session keeps it selected
// under its new name and tells nothing: neither RFC asks a server to, and
// without NOTIFY (RFC 5465) there is no response that would say it.
#include "core/journal/journal.hpp"
#include "mail/imap/proto/qresync_match.hpp"
#include "mail/imap/proto/response.hpp"
#include "mail/imap/server/error_map.hpp"
#include "mail/imap/server/session.hpp"
#include "mail/store/change_feed.hpp"
#include "mail/store/mailbox_store.hpp"

#include <algorithm>

namespace posta::mail::imap::server {
namespace {

constexpr char const* system_flags = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";

mailbox_view view_of(store::snapshot const& s) {
  mailbox_view v;
  v.uidvalidity = static_cast<std::uint32_t>(s.uidvalidity);
  v.uidnext = static_cast<std::uint32_t>(s.uidnext);
  v.highestmodseq = static_cast<std::uint64_t>(s.highestmodseq);
  v.uids.assign(s.uids.begin(), s.uids.end());
  v.modseqs.assign(s.modseqs.begin(), s.modseqs.end());
  v.flag_sets = s.flag_sets;
  v.flag_set = s.flag_set;
  return v;
}

std::string keyword_list(store::flag_list const& keywords) {
  std::string out = system_flags;
  for (auto const& k : keywords) out += " " + k;
  return out;
}

}  // namespace

void session::store_failed(std::string const& tag, error const& e, std::string_view what) {
  auto r = map_store_error(e, what);
  if (r.code == "UNAVAILABLE")
    journal::record(journal::level::warning, std::string(listener_name(kind_)), std::string(what) + " failed",
                    {{"user", user_}, {"error", e.message()}});
  no(tag, r.text, r.code);
}

// The id of a selectable mailbox, or nullopt with the NO sent (TRYCREATE
// for APPEND/COPY/MOVE targets, RFC 3501 6.3.11).
asio::awaitable<std::optional<std::int64_t>> session::mailbox_id_of(std::string const& tag, std::string const& name,
                                                                    bool trycreate, std::string_view what,
                                                                    std::string* canonical) {
  auto info = co_await ctx_.mailboxes->find(account_id_, name);
  if (info && !info->noselect) {
    if (canonical) *canonical = info->name;
    co_return info->id;
  }
  if (!info && !store::is(info.error(), store::store_errc::nonexistent)) store_failed(tag, info.error(), what);
  else no(tag, std::string(what) + ": no such mailbox", trycreate ? "TRYCREATE" : "NONEXISTENT");
  co_return std::nullopt;
}

void session::deselect() {
  selected_.reset();
  metas_.clear();
  watch_ = {};
  watching_ = false;
  saved_uids_.clear();
  box_ = {};
  box_name_.clear();
  if (state_ == proto::session_state::selected) state_ = proto::session_state::authenticated;
}

void session::send_select_data(store::snapshot const& snap, bool read_only) {
  auto const flags = keyword_list(snap.keywords);
  send(proto::untagged("FLAGS (" + flags + ")"));
  // Clients may create keywords (\*), unless the mailbox is read-only.
  send(proto::untagged_status(proto::status::ok, read_only ? "PERMANENTFLAGS ()" : "PERMANENTFLAGS (" + flags + " \\*)",
                              "Flags permitted"));
  send(proto::untagged(std::to_string(snap.uids.size()) + " EXISTS"));
  // RFC 9051 removed RECENT and the UNSEEN response code.
  if (rev2_) return send_select_state(snap);
  send(proto::untagged(std::to_string(selected_->recent_count()) + " RECENT"));
  for (std::uint32_t i = 0; i < selected_->count(); ++i) {
    auto const& f = selected_->flags_at(i);
    if (std::find(f.begin(), f.end(), "\\Seen") == f.end()) {
      send(proto::untagged_status(proto::status::ok, "UNSEEN " + std::to_string(i + 1), "First unseen"));
      break;
    }
  }
  send_select_state(snap);
}

void session::send_select_state(store::snapshot const& snap) {
  send(proto::untagged_status(proto::status::ok, "UIDVALIDITY " + std::to_string(snap.uidvalidity), "UIDs valid"));
  send(proto::untagged_status(proto::status::ok, "UIDNEXT " + std::to_string(snap.uidnext), "Predicted next UID"));
  send(proto::untagged_status(proto::status::ok, "HIGHESTMODSEQ " + std::to_string(snap.highestmodseq),
                              "Highest"));
}

asio::awaitable<bool> session::on(std::string const& tag, proto::select_cmd& c) {
  if (selected_) {
    deselect();
    // RFC 7162 3.2.11, RFC 9051 6.3.2: the end of the previous mailbox's responses.
    if (qresync_ || rev2_) send(proto::untagged_status(proto::status::ok, "CLOSED", "Previous mailbox closed"));
  }
  if (c.qresync && !qresync_) {
    bad(tag, "QRESYNC must be enabled first");
    co_return true;
  }
  auto const what = c.examine ? "EXAMINE" : "SELECT";
  std::string canonical;
  auto id = co_await mailbox_id_of(tag, c.mailbox, false, what, &canonical);
  if (!id) co_return true;
  box_ = store::mailbox_ref{account_id_, *id};
  auto snap = co_await ctx_.mailboxes->select(box_);
  if (!snap) {
    store_failed(tag, snap.error(), what);
    co_return true;
  }
  if (c.condstore) condstore_ = true;
  selected_.emplace(view_of(*snap));
  read_only_ = c.examine;
  box_name_ = canonical;
  state_ = proto::session_state::selected;
  co_await take_recent(static_cast<std::uint32_t>(snap->recent_uid), selected_->highest_uid());
  if (ctx_.watcher) {
    auto w = ctx_.watcher->watch_mailbox(*id, stream_.get_executor());
    watching_ = w.has_value();
    if (w) watch_ = std::move(*w);  // past the watch bound: changes are seen at NOOP only
  }
  send_select_data(*snap, read_only_);
  if (rev2_) {
    // RFC 9051 6.3.2: the mailbox's name and attributes (OLDNAME when the
    // name sent was not the stored one).
    auto attrs = co_await list_attributes_of(canonical);
    send_oldname(attrs, canonical, c.mailbox, true);
  }
  if (c.qresync && static_cast<std::int64_t>(c.qresync->uidvalidity) == snap->uidvalidity)
    co_await qresync_data(*c.qresync);
  ok(tag, std::string(what) + " completed", read_only_ ? "READ-ONLY" : "READ-WRITE");
  co_return true;
}

// RFC 7162 3.2.5.2: what changed since the client's MODSEQ: VANISHED
// (EARLIER) for expunged UIDs it may know, then FETCH for changed flags.
asio::awaitable<void> session::qresync_data(proto::qresync_params const& q) {
  auto ch = co_await ctx_.mailboxes->changes_since(box_, static_cast<std::int64_t>(q.modseq));
  if (!ch) co_return;
  std::vector<proto::seq_range> known;
  if (q.known_uids) known = proto::normalize(*q.known_uids, UINT32_MAX);
  // RFC 7162 3.2.5.2: a (sequence number, UID) pair of the client's that
  // still holds means no UID below it was expunged unknown to the client.
  std::uint32_t floor = 0;
  if (q.seq_match) floor = proto::qresync_known_floor(q.seq_match->first, q.seq_match->second, selected_->uids());
  std::vector<std::uint32_t> vanished;
  for (auto uid : ch->expunged)
    if (uid > floor && (!q.known_uids || proto::contains(known, uid))) vanished.push_back(uid);
  if (!vanished.empty()) send(proto::untagged("VANISHED (EARLIER) " + proto::format_numbers(vanished)));
  for (auto const& m : ch->changed) {
    auto pos = selected_->position_of(m.uid);
    if (!pos) continue;
    send(proto::untagged(std::to_string(*pos + 1) + " FETCH (UID " + std::to_string(m.uid) + " FLAGS " +
                         flags_text(*pos) + " MODSEQ (" +
                         std::to_string(selected_->modseq_at(*pos)) + "))"));
  }
}

store::change_feed* session::shared_reads() const { return ctx_.watcher ? ctx_.watcher->feed() : nullptr; }

void session::changed_here(std::int64_t mailbox_id) {
  if (auto* feed = shared_reads()) feed->invalidate(mailbox_id);
}

// Through the node's shared reads when there are: several sessions of one
// mailbox then ask PostgreSQL once per change, not once each.
asio::awaitable<result<void>> session::refresh() {
  auto const since = static_cast<std::int64_t>(selected_->known_modseq());
  auto* feed = shared_reads();
  // COMPAT(g++ 12): no co_await inside a conditional expression (it
  // miscompiles the temporaries).
  result<store::changes> ch = make_error(errc::unavailable, "not read");
  if (feed) ch = co_await feed->changes_since(box_, since);
  else ch = co_await ctx_.mailboxes->changes_since(box_, since);
  if (!ch) {
    if (store::is(ch.error(), store::store_errc::nonexistent)) mailbox_deleted_ = true;
    co_return ch.error();
  }
  if (!selected_) co_return result<void>{};  // deselected while asking (IDLE's watcher)
  auto const known_uid = selected_->highest_uid();
  for (auto& m : ch->changed) selected_->on_flags(m.uid, static_cast<std::uint64_t>(m.modseq), std::move(m.flags));
  for (auto uid : ch->expunged) selected_->on_expunged(uid);
  selected_->on_state(static_cast<std::uint32_t>(ch->uidnext), static_cast<std::uint64_t>(ch->highestmodseq));
  box_name_ = std::move(ch->name);  // renamed elsewhere: still the same mailbox
  if (selected_->highest_uid() > known_uid)
    co_await take_recent(static_cast<std::uint32_t>(ch->recent_uid), selected_->highest_uid());
  co_return result<void>{};
}

// RFC 3501 2.3.2: \Recent is the first session's to see a message. A
// SELECT session claims the UIDs in the store (one row, so across nodes);
// EXAMINE changes nothing (RFC 3501 6.3.2) but shows what no one claimed.
// An IMAP4rev2 session neither tells nor takes \Recent (RFC 9051 removed
// it), so a IMAP4rev1 client on the same mailbox still hears the news.
asio::awaitable<void> session::take_recent(std::uint32_t mark, std::uint32_t up_to) {
  if (rev2_ || up_to <= mark) co_return;
  if (read_only_) {
    selected_->add_recent(mark, up_to);
    co_return;
  }
  auto before = co_await ctx_.mailboxes->claim_recent(box_, up_to);
  // Trouble claiming costs only the flag: nobody is told \Recent.
  if (before && *before && selected_) selected_->add_recent(**before, up_to);
}

std::string session::announce_now(bool allow_expunges) {
  return selected_->announce({allow_expunges, qresync_, condstore_, !rev2_});
}

std::string session::flags_text(std::uint32_t pos) const { return selected_->flags_text(pos, !rev2_); }

asio::awaitable<bool> session::announce_changes(bool allow_expunges) {
  if (!selected_) co_return true;
  auto r = co_await refresh();
  if (mailbox_deleted_) co_return false;
  // Trouble asking is not the client's: it hears of the changes next time.
  if (r) send(announce_now(allow_expunges));
  co_return true;
}

asio::awaitable<bool> session::on_selected_simple(std::string const& tag, proto::simple_verb verb) {
  if (verb == proto::simple_verb::unselect) {
    deselect();
    ok(tag, "UNSELECT completed");
    co_return true;
  }
  if (verb == proto::simple_verb::close) {
    // RFC 3501 6.4.2: \Deleted messages go silently, unless read-only.
    // DURABILITY: OK only once the expunge is committed.
    if (!read_only_) {
      auto r = co_await ctx_.mailboxes->expunge(box_);
      deselect();
      if (!r) store_failed(tag, r.error(), "CLOSE");
      else ok(tag, "CLOSE completed");
      co_return true;
    }
    deselect();
    ok(tag, "CLOSE completed");
    co_return true;
  }
  bool go_on = co_await expunge_messages(tag, std::nullopt);
  co_return go_on;
}

}  // namespace posta::mail::imap::server
