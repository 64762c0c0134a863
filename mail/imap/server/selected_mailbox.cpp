// The selected mailbox's sequence numbers, flags and pending changes.
#include "mail/imap/server/selected_mailbox.hpp"

#include <algorithm>

namespace posta::mail::imap::server {

std::string format_flag_list(flag_names const& flags) {
  std::string out = "(";
  for (std::size_t i = 0; i < flags.size(); ++i) {
    if (i) out += ' ';
    out += flags[i];
  }
  out += ')';
  return out;
}

selected_mailbox::selected_mailbox(mailbox_view view)
    : uidvalidity_(view.uidvalidity),
      uidnext_(view.uidnext),
      highestmodseq_(view.highestmodseq),
      known_modseq_(view.highestmodseq),
      uids_(std::move(view.uids)),
      modseqs_(std::move(view.modseqs)),
      expunged_(uids_.size(), false),
      flags_pending_(uids_.size(), false),
      told_count_(static_cast<std::uint32_t>(uids_.size())) {
  set_of_.reserve(uids_.size());
  for (auto& f : view.flags) set_of_.push_back(intern(std::move(f)));
  if (view.flags.empty() && !view.flag_set.empty()) {
    // SELECT of a large mailbox: each distinct list interned once.
    std::vector<std::uint32_t> mapped;
    mapped.reserve(view.flag_sets.size());
    for (auto& f : view.flag_sets) mapped.push_back(intern(std::move(f)));
    for (auto i : view.flag_set) set_of_.push_back(i < mapped.size() ? mapped[i] : intern({}));
  }
  modseqs_.resize(uids_.size(), 0);
  set_of_.resize(uids_.size(), intern({}));
}

std::uint32_t selected_mailbox::intern(flag_names flags) {
  std::sort(flags.begin(), flags.end());
  flags.erase(std::unique(flags.begin(), flags.end()), flags.end());
  auto [it, inserted] = set_index_.try_emplace(flags, static_cast<std::uint32_t>(sets_.size()));
  if (inserted) sets_.push_back(std::move(flags));
  return it->second;
}

std::optional<std::uint32_t> selected_mailbox::position_of(std::uint32_t uid) const {
  auto it = std::lower_bound(uids_.begin(), uids_.end(), uid);
  if (it == uids_.end() || *it != uid) return std::nullopt;
  return static_cast<std::uint32_t>(it - uids_.begin());
}

void selected_mailbox::add_recent(std::uint32_t after, std::uint32_t up_to) {
  if (up_to <= after) return;
  if (!recent_.empty() && recent_.back().second >= after) {
    recent_.back().second = std::max(recent_.back().second, up_to);
    return;
  }
  recent_.emplace_back(after, up_to);
}

bool selected_mailbox::is_recent(std::uint32_t pos) const {
  auto const uid = uids_[pos];
  for (auto const& [after, up_to] : recent_)
    if (uid > after && uid <= up_to) return true;
  return false;
}

std::uint32_t selected_mailbox::recent_count() const {
  std::size_t n = 0;
  auto const end = uids_.begin() + std::min<std::size_t>(told_count_, uids_.size());
  for (auto const& [after, up_to] : recent_)
    n += static_cast<std::size_t>(std::upper_bound(uids_.begin(), end, up_to) -
                                  std::upper_bound(uids_.begin(), end, after));
  return static_cast<std::uint32_t>(n);
}

std::string selected_mailbox::flags_text(std::uint32_t pos, bool with_recent) const {
  auto out = format_flag_list(flags_at(pos));
  if (with_recent && is_recent(pos)) out.insert(out.size() - 1, out.size() == 2 ? "\\Recent" : " \\Recent");
  return out;
}

bool selected_mailbox::has_pending() const {
  return told_count_ != uids_.size() || pending_expunges() != 0 ||
         std::find(flags_pending_.begin(), flags_pending_.end(), true) != flags_pending_.end();
}

std::size_t selected_mailbox::pending_expunges() const {
  return static_cast<std::size_t>(std::count(expunged_.begin(), expunged_.end(), true));
}

void selected_mailbox::on_flags(std::uint32_t uid, std::uint64_t modseq, flag_names flags, bool told) {
  // known_modseq_ is not raised here: this session's own STORE may have a
  // MODSEQ above another session's change it has not heard of yet; only a
  // refresh (on_state) knows everything up to a MODSEQ.
  if (auto pos = position_of(uid)) {
    if (expunged_[*pos] || modseqs_[*pos] >= modseq) return;  // ours, already applied, or gone
    modseqs_[*pos] = modseq;
    set_of_[*pos] = intern(std::move(flags));
    if (!told) flags_pending_[*pos] = true;
    return;
  }
  if (!uids_.empty() && uid <= uids_.back()) return;  // expunged before we knew it
  uids_.push_back(uid);
  modseqs_.push_back(modseq);
  set_of_.push_back(intern(std::move(flags)));
  expunged_.push_back(false);
  flags_pending_.push_back(false);
  uidnext_ = std::max(uidnext_, uid + 1);
}

void selected_mailbox::on_expunged(std::uint32_t uid) {
  if (auto pos = position_of(uid)) expunged_[*pos] = true;
}

void selected_mailbox::on_state(std::uint32_t uidnext, std::uint64_t highestmodseq) {
  uidnext_ = std::max(uidnext_, uidnext);
  highestmodseq_ = std::max(highestmodseq_, highestmodseq);
  known_modseq_ = std::max(known_modseq_, highestmodseq);
}

// Descending sequence numbers: each EXPUNGE leaves the numbers below it as
// they are, so every one sent is right when the client applies it.
std::string selected_mailbox::announce_expunges(announce_options const& options) {
  std::string out;
  if (options.qresync) {
    std::vector<std::uint32_t> gone;
    for (std::uint32_t i = 0; i < uids_.size(); ++i)
      if (expunged_[i] && i < told_count_) gone.push_back(uids_[i]);
    if (!gone.empty()) {
      out += "* VANISHED ";
      for (std::size_t i = 0; i < gone.size(); ++i) {
        if (i) out += ',';
        out += std::to_string(gone[i]);
      }
      out += "\r\n";
    }
  } else {
    for (auto i = std::min<std::size_t>(told_count_, uids_.size()); i-- > 0;)
      if (expunged_[i]) out += "* " + std::to_string(i + 1) + " EXPUNGE\r\n";
  }
  erase_expunged();
  return out;
}

void selected_mailbox::erase_expunged() {
  std::size_t w = 0;
  std::uint32_t told = 0;
  for (std::size_t r = 0; r < uids_.size(); ++r) {
    if (expunged_[r]) continue;
    if (r < told_count_) ++told;
    uids_[w] = uids_[r];
    modseqs_[w] = modseqs_[r];
    set_of_[w] = set_of_[r];
    flags_pending_[w] = flags_pending_[r];
    expunged_[w] = false;
    ++w;
  }
  uids_.resize(w);
  modseqs_.resize(w);
  set_of_.resize(w);
  flags_pending_.resize(w);
  expunged_.resize(w);
  told_count_ = told;
}

std::string selected_mailbox::announce(announce_options const& options) {
  std::string out;
  for (std::uint32_t i = 0; i < told_count_ && i < uids_.size(); ++i) {
    if (!flags_pending_[i]) continue;
    flags_pending_[i] = false;
    if (expunged_[i]) continue;
    out += "* " + std::to_string(i + 1) + " FETCH (UID " + std::to_string(uids_[i]) + " FLAGS " +
           flags_text(i, options.recent);
    if (options.condstore) out += " MODSEQ (" + std::to_string(modseqs_[i]) + ")";
    out += ")\r\n";
  }
  if (options.allow_expunges && pending_expunges() != 0) out += announce_expunges(options);
  // New messages that went before the client heard of them are dropped
  // silently only when expunges may be announced; otherwise they count.
  if (told_count_ != uids_.size()) {
    told_count_ = static_cast<std::uint32_t>(uids_.size());
    out += "* " + std::to_string(told_count_) + " EXISTS\r\n";
    // RFC 3501 7.3.2: RECENT comes whenever the size of the mailbox changes.
    if (options.recent) out += "* " + std::to_string(recent_count()) + " RECENT\r\n";
  }
  return out;
}

}  // namespace posta::mail::imap::server
