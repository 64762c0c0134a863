// The selected mailbox as the client knows it (RFC 3501 2.3.1.2, 7.4.1;
// RFC 7162 3.2.10): the sequence number <-> UID map, each message's flags
// and MODSEQ, and the changes seen in the store but not yet told to the
// client. Sequence numbers change only when an expunge is announced, and
// expunges are announced only where the caller says it may (see
// proto::may_announce_expunges): until then an expunged message keeps its
// sequence number, so no number a client relies on ever moves. Pure: the
// session feeds it the store's snapshot and changes and writes what
// announce() returns.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace posta::mail::imap::server {

using flag_names = std::vector<std::string>;  // canonical, sorted ("\Seen", keywords)

struct mailbox_view {
  std::uint32_t uidvalidity = 0;
  std::uint32_t uidnext = 1;
  std::uint64_t highestmodseq = 0;
  std::vector<std::uint32_t> uids;  // ascending
  std::vector<std::uint64_t> modseqs;
  std::vector<flag_names> flags;  // one per message, or empty and then:
  std::vector<flag_names> flag_sets;     // the distinct lists (as the store's snapshot has them)
  std::vector<std::uint32_t> flag_set;   // one index into flag_sets per message
};

struct announce_options {
  bool allow_expunges = true;  // false while a sequence-number FETCH/STORE/SEARCH runs
  bool qresync = false;        // VANISHED instead of EXPUNGE (RFC 7162 3.2.10)
  bool condstore = false;      // MODSEQ in FETCH (RFC 7162 3.1.4)
  bool recent = false;         // IMAP4rev1: \Recent in FLAGS, RECENT after EXISTS (RFC 3501 7.3.2)
};

class selected_mailbox {
 public:
  explicit selected_mailbox(mailbox_view view);

  // ---- the client's view ----
  std::uint32_t count() const { return static_cast<std::uint32_t>(uids_.size()); }  // EXISTS as told
  std::span<std::uint32_t const> uids() const { return uids_; }
  std::uint32_t uid_at(std::uint32_t pos) const { return uids_[pos]; }  // 0-based position
  std::uint64_t modseq_at(std::uint32_t pos) const { return modseqs_[pos]; }
  flag_names const& flags_at(std::uint32_t pos) const { return sets_[set_of_[pos]]; }
  // Expunged in the store, not yet announced: its data is gone.
  bool is_expunged(std::uint32_t pos) const { return expunged_[pos]; }
  std::optional<std::uint32_t> position_of(std::uint32_t uid) const;
  std::uint32_t uidvalidity() const { return uidvalidity_; }
  std::uint32_t uidnext() const { return uidnext_; }
  std::uint64_t highestmodseq() const { return highestmodseq_; }
  // The MODSEQ to ask the store for changes after.
  std::uint64_t known_modseq() const { return known_modseq_; }
  bool has_pending() const;

  // ---- \Recent (RFC 3501 2.3.2): the UIDs this session was first to see ----
  // UIDs in (after, up_to] are \Recent here (claimed in the store, or seen
  // by EXAMINE before anyone claimed them).
  void add_recent(std::uint32_t after, std::uint32_t up_to);
  bool is_recent(std::uint32_t pos) const;
  // Messages with \Recent among those the client knows (RECENT response).
  std::uint32_t recent_count() const;
  // The flags as FETCH tells them: \Recent added when `with_recent`.
  std::string flags_text(std::uint32_t pos, bool with_recent) const;
  // The highest UID known (0 when empty).
  std::uint32_t highest_uid() const { return uids_.empty() ? 0 : uids_.back(); }

  // ---- changes from the store (other sessions, deliveries, our own) ----
  // A message's new flags: known -> updated (told at the next announcement
  // unless `told`, when the session has answered it itself); a UID above
  // every known one -> a new message (EXISTS at the next announcement);
  // anything else (expunged before we saw it) is ignored.
  void on_flags(std::uint32_t uid, std::uint64_t modseq, flag_names flags, bool told = false);
  void on_expunged(std::uint32_t uid);
  void on_state(std::uint32_t uidnext, std::uint64_t highestmodseq);

  // The untagged responses due now: FETCH for flag changes (of messages not
  // expunged), EXPUNGE or VANISHED when allowed, then EXISTS for new
  // messages. Afterwards the view is what the client has been told.
  std::string announce(announce_options const& options);

  // Sequence numbers of the expunges announce() would send, for tests.
  std::size_t pending_expunges() const;

 private:
  std::uint32_t intern(flag_names flags);
  std::string announce_expunges(announce_options const& options);
  void erase_expunged();

  std::uint32_t uidvalidity_;
  std::uint32_t uidnext_;
  std::uint64_t highestmodseq_;
  std::uint64_t known_modseq_;
  std::vector<std::uint32_t> uids_;
  std::vector<std::uint64_t> modseqs_;
  std::vector<std::uint32_t> set_of_;  // index into sets_
  std::vector<bool> expunged_;
  std::vector<bool> flags_pending_;
  std::uint32_t told_count_;  // EXISTS the client has heard
  std::vector<flag_names> sets_;  // distinct flag lists: few in practice
  std::map<flag_names, std::uint32_t> set_index_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> recent_;  // (after, up_to], ascending, few
};

// "(\Seen $Forwarded)".
std::string format_flag_list(flag_names const& flags);

}  // namespace posta::mail::imap::server
