// FETCH and UID FETCH (RFC 3501 6.4.5, RFC 9051 6.4.5) with BINARY (RFC
// 3516), CONDSTORE CHANGEDSINCE/MODSEQ (RFC 7162 3.1.4) and QRESYNC VANISHED
// (RFC 7162 3.2.6). Everything comes from the stored structure and byte
// ranges of the blob: nothing is parsed again, and a large body is read and
// written in pieces, never held whole.
#include "mail/imap/proto/date_time.hpp"
#include "mail/imap/proto/header_fields.hpp"
#include "mail/imap/proto/message_format.hpp"
#include "mail/imap/proto/response.hpp"
#include "mail/imap/proto/response_data.hpp"
#include "mail/imap/server/session.hpp"
#include "mail/mime/proto/transfer_decoding.hpp"
#include "mail/store/body_cache.hpp"
#include "mail/store/mailbox_store.hpp"

#include <algorithm>
#include <unordered_map>

namespace posta::mail::imap::server {
namespace {

// Messages whose metadata is asked for at once: bounds the memory of one
// FETCH 1:* however large the mailbox.
constexpr std::size_t fetch_batch = 256;
// Sections larger than this are read and written in pieces of this size.
constexpr std::uint64_t piece = 1 << 20;

using proto::fetch_item;

bool needs_meta(proto::fetch_att const& a) {
  return a.item != fetch_item::flags && a.item != fetch_item::uid && a.item != fetch_item::modseq;
}
bool needs_structure(proto::fetch_att const& a) {
  return needs_meta(a) && a.item != fetch_item::internaldate && a.item != fetch_item::rfc822_size;
}
// RFC 3501 6.4.5: BODY[...] (not PEEK), RFC822 and RFC822.TEXT set \Seen;
// so does BINARY[...] (RFC 3516 4.1).
bool sets_seen(proto::fetch_att const& a) {
  if (a.peek) return false;
  return a.item == fetch_item::body_section || a.item == fetch_item::binary || a.item == fetch_item::rfc822 ||
         a.item == fetch_item::rfc822_text;
}
bool has_seen(flag_names const& f) { return std::find(f.begin(), f.end(), "\\Seen") != f.end(); }

// RFC822, RFC822.HEADER and RFC822.TEXT are BODY[], BODY.PEEK[HEADER], BODY[TEXT].
proto::fetch_att as_section(proto::fetch_att a, proto::section_text text) {
  a.section = proto::section_spec{{}, text};
  return a;
}

}  // namespace

asio::awaitable<bool> session::on(std::string const& tag, proto::fetch_cmd& c) {
  auto positions = resolve(tag, c.set, c.uid);
  if (!positions) co_return true;
  if (c.changed_since) condstore_ = true;  // RFC 7162 3.1: a CONDSTORE-enabling command
  if (c.vanished) {
    if (!qresync_ || !c.uid || !c.changed_since) {
      bad(tag, "VANISHED needs QRESYNC, UID FETCH and CHANGEDSINCE");
      co_return true;
    }
    auto ch = co_await ctx_.mailboxes->changes_since(box_, static_cast<std::int64_t>(*c.changed_since));
    if (ch) {
      auto ranges = proto::normalize(c.set, selected_->uids().empty() ? 0 : selected_->uids().back());
      std::vector<std::uint32_t> gone;
      for (auto uid : ch->expunged)
        if (proto::contains(ranges, uid)) gone.push_back(uid);
      if (!gone.empty()) send(proto::untagged("VANISHED (EARLIER) " + proto::format_numbers(gone)));
    }
  }
  std::vector<std::uint32_t> wanted;
  fetch_expunged_ = false;
  // RFC 2180 4.1.1: FLAGS, UID and MODSEQ of a message expunged elsewhere
  // but not yet told are still this session's view, and answered from it;
  // only data that is gone makes the FETCH [EXPUNGEISSUED].
  bool const from_view = std::none_of(c.atts.begin(), c.atts.end(), needs_meta);
  for (auto p : *positions) {
    if (selected_->is_expunged(p) && !from_view) {
      fetch_expunged_ = !c.uid;  // a UID that is gone is no error (RFC 9051 6.4.9)
      continue;
    }
    if (c.changed_since && selected_->modseq_at(p) <= *c.changed_since) continue;
    wanted.push_back(p);
  }
  bool go_on = co_await fetch_messages(tag, c, wanted);
  co_return go_on;
}

asio::awaitable<result<void>> session::mark_seen(std::vector<std::uint32_t> const& positions,
                                                 std::vector<bool>& flags_changed) {
  std::vector<std::uint32_t> unseen;
  for (auto p : positions)
    if (!has_seen(selected_->flags_at(p))) unseen.push_back(p);
  if (unseen.empty() || read_only_) co_return result<void>{};
  auto const uids = uid_set_of(unseen);
  store::flag_list const seen{"\\Seen"};
  auto r = co_await ctx_.mailboxes->store_flags(box_, uids, store::store_mode::add, seen);
  if (!r) co_return r.error();
  for (auto& m : r->modified) {
    selected_->on_flags(m.uid, static_cast<std::uint64_t>(m.modseq), std::move(m.flags), true);
    if (auto p = selected_->position_of(m.uid)) flags_changed[*p] = true;
  }
  co_return result<void>{};
}

asio::awaitable<result<session::meta_map>> session::metas_of(std::vector<std::uint32_t> const& positions,
                                                             bool with_structure,
                                                             std::vector<store::message_meta>& spill) {
  meta_map out;
  std::vector<std::uint32_t> missing;
  for (auto p : positions) {
    auto const uid = selected_->uid_at(p);
    if (auto const* m = metas_.find(uid, with_structure)) out.emplace(uid, m);
    else missing.push_back(p);
  }
  if (missing.empty()) co_return out;
  auto const uids = uid_set_of(missing);
  POSTA_CO_TRY_ASSIGN(auto fetched, co_await ctx_.mailboxes->fetch(box_, uids, with_structure));
  spill.reserve(spill.size() + fetched.size());  // no reallocation: the map points into it
  for (auto& m : fetched) {
    auto const uid = m.uid;
    auto const* kept = metas_.keep(m);
    if (!kept) kept = &spill.emplace_back(std::move(m));
    out.emplace(uid, kept);
  }
  co_return out;
}

asio::awaitable<bool> session::fetch_messages(std::string const& tag, proto::fetch_cmd& c,
                                              std::vector<std::uint32_t> const& positions) {
  bool const meta = std::any_of(c.atts.begin(), c.atts.end(), needs_meta);
  bool const structure = std::any_of(c.atts.begin(), c.atts.end(), needs_structure);
  bool const seen = !read_only_ && std::any_of(c.atts.begin(), c.atts.end(), sets_seen);
  std::vector<bool> flags_changed(selected_->count(), false);
  if (seen) {
    auto r = co_await mark_seen(positions, flags_changed);
    if (!r) {
      store_failed(tag, r.error(), "FETCH");
      co_return true;
    }
  }
  for (std::size_t at = 0; at < positions.size(); at += fetch_batch) {
    std::vector<std::uint32_t> batch(positions.begin() + at,
                                     positions.begin() + std::min(positions.size(), at + fetch_batch));
    meta_map metas;
    std::vector<store::message_meta> spill;
    if (meta) {
      auto r = co_await metas_of(batch, structure, spill);
      if (!r) {
        store_failed(tag, r.error(), "FETCH");
        co_return true;
      }
      metas = std::move(*r);
    }
    store::message_meta const none;
    for (auto p : batch) {
      auto it = metas.find(selected_->uid_at(p));
      if (meta && it == metas.end()) {  // expunged meanwhile: told at the next chance
        fetch_expunged_ = fetch_expunged_ || !c.uid;
        continue;
      }
      auto r = co_await fetch_one(c, p, meta ? *it->second : none, flags_changed[p]);
      if (!r && r.error().context == "UNKNOWN-CTE") {
        no(tag, "Unknown Content-Transfer-Encoding", "UNKNOWN-CTE");
        co_return true;
      }
      if (!r) {
        store_failed(tag, r.error(), "FETCH");
        co_return stream_.is_open();
      }
    }
    // Written out only when large: the tagged OK below travels in the same
    // write as a short answer's data (a second small write would wait for the
    // client's delayed ACK of the first).
    if (output_.size() >= piece) {
      bool flushed = co_await flush();
      if (!flushed) co_return false;
    }
  }
  // RFC 5530 EXPUNGEISSUED, RFC 2180 4.1.2: the messages still there are
  // answered; the client learns that some were expunged by someone else
  // (their EXPUNGE comes at the next command that allows it).
  if (fetch_expunged_) {
    auto known = co_await refresh();  // so STORE/COPY of them know it too
    (void)known;
    no(tag, "Some of the requested messages no longer exist", "EXPUNGEISSUED");
  } else ok(tag, std::string(c.uid ? "UID FETCH" : "FETCH") + " completed");
  co_return true;
}

asio::awaitable<result<void>> session::fetch_one(proto::fetch_cmd const& c, std::uint32_t pos,
                                                 store::message_meta const& meta, bool flags_changed) {
  mime::message_structure const* ms = meta.parsed ? &meta.parsed->structure() : nullptr;
  if (!ms && std::any_of(c.atts.begin(), c.atts.end(), needs_structure))
    co_return make_error(errc::io_error, "message structure missing");
  std::string line = "* " + std::to_string(pos + 1) + " FETCH (";
  bool first = true;
  auto item = [&](std::string_view name) {
    if (!first) line += ' ';
    first = false;
    line += name;
  };
  bool uid_sent = false, flags_sent = false, modseq_sent = false;
  for (auto const& a : c.atts) {
    switch (a.item) {
      case fetch_item::uid:
        if (uid_sent) break;
        uid_sent = true;
        item("UID " + std::to_string(selected_->uid_at(pos)));
        break;
      case fetch_item::flags:
        if (flags_sent) break;
        flags_sent = true;
        item("FLAGS " + flags_text(pos));
        break;
      case fetch_item::modseq:
        if (modseq_sent) break;
        modseq_sent = true;
        item("MODSEQ (" + std::to_string(selected_->modseq_at(pos)) + ")");
        break;
      case fetch_item::internaldate:
        item("INTERNALDATE " + proto::format_internaldate(std::chrono::sys_seconds(std::chrono::seconds(meta.internal_date))));
        break;
      case fetch_item::rfc822_size:
        item("RFC822.SIZE " + std::to_string(meta.size));
        break;
      case fetch_item::envelope:
        item("ENVELOPE " + proto::format_envelope(ms->env));
        break;
      case fetch_item::body:
      case fetch_item::bodystructure:
        item(a.item == fetch_item::body ? "BODY " : "BODYSTRUCTURE ");
        line += proto::format_body_structure(*ms, a.item == fetch_item::bodystructure);
        break;
      case fetch_item::rfc822:
      case fetch_item::rfc822_header:
      case fetch_item::rfc822_text: {
        auto const text = a.item == fetch_item::rfc822          ? proto::section_text::none
                          : a.item == fetch_item::rfc822_header ? proto::section_text::header
                                                                : proto::section_text::text;
        item(a.item == fetch_item::rfc822 ? "RFC822 " : a.item == fetch_item::rfc822_header ? "RFC822.HEADER " : "RFC822.TEXT ");
        POSTA_CO_TRY(co_await fetch_section(as_section(a, text), meta, ms, line));
        break;
      }
      case fetch_item::body_section:
      case fetch_item::binary:
      case fetch_item::binary_size:
        item(proto::fetch_response_name(a) + " ");
        POSTA_CO_TRY(co_await fetch_section(a, meta, ms, line));
        break;
    }
  }
  // RFC 3501 6.4.5: a \Seen set by this FETCH is told; RFC 7162 3.1.4 and
  // 3.2.4: UID FETCH answers with UID, CONDSTORE with MODSEQ next to FLAGS.
  if (flags_changed && !flags_sent) {
    item("FLAGS " + flags_text(pos));
    flags_sent = true;
  }
  if (c.uid && !uid_sent) item("UID " + std::to_string(selected_->uid_at(pos)));
  if ((c.changed_since || (condstore_ && flags_sent)) && !modseq_sent)
    item("MODSEQ (" + std::to_string(selected_->modseq_at(pos)) + ")");
  line += ")\r\n";
  send(line);
  if (output_.size() >= piece) {
    bool flushed = co_await flush();
    if (!flushed) co_return make_error(errc::io_error, "write");
  }
  co_return result<void>{};
}

// A literal of the message bytes [begin, end): read in one piece when
// small, else written piece by piece as it is read.
asio::awaitable<result<void>> session::append_range(store::message_meta const& meta, std::uint64_t begin,
                                                    std::uint64_t end, std::string& line) {
  auto const n = end - begin;
  if (n <= piece) {
    POSTA_CO_TRY_ASSIGN(auto bytes, co_await ctx_.mailboxes->read(meta, static_cast<std::int64_t>(begin),
                                                                  static_cast<std::int64_t>(n)));
    proto::append_literal(line, bytes);
    co_return result<void>{};
  }
  line += "{" + std::to_string(n) + "}\r\n";
  send(line);
  line.clear();
  for (auto at = begin; at < end; at += piece) {
    auto len = std::min(piece, end - at);
    POSTA_CO_TRY_ASSIGN(auto bytes, co_await ctx_.mailboxes->read(meta, static_cast<std::int64_t>(at),
                                                                  static_cast<std::int64_t>(len)));
    if (bytes.size() != len) co_return make_error(errc::io_error, "short read of a message");
    send(bytes);
    bool flushed = co_await flush();
    if (!flushed) co_return make_error(errc::io_error, "write");
  }
  co_return result<void>{};
}

asio::awaitable<result<void>> session::fetch_section(proto::fetch_att const& a, store::message_meta const& meta,
                                                     mime::message_structure const* ms, std::string& line) {
  auto range = proto::section_range(*ms, a.section);
  if (!range) {
    line += "\"\"";  // RFC 3501 6.4.5: a section that does not exist is empty
    co_return result<void>{};
  }
  // The structure's offsets are the blob's; this copy's header prefix
  // (Return-Path, Delivered-To) comes first.
  std::uint64_t const prefix = meta.header_prefix.size();
  bool const from_start = a.section.part.empty() && a.section.text != proto::section_text::text;
  std::uint64_t begin = from_start ? 0 : range->begin + prefix;
  std::uint64_t end = range->end + prefix;
  bool const whole = a.item == fetch_item::body_section || a.item == fetch_item::rfc822 ||
                     a.item == fetch_item::rfc822_header || a.item == fetch_item::rfc822_text;
  if (whole && a.header_fields.empty()) {
    if (a.partial) {
      begin = std::min(end, begin + a.partial->offset);
      end = std::min(end, begin + a.partial->length);
    }
    auto r = co_await append_range(meta, begin, end, line);
    co_return r;
  }
  if (whole) {  // HEADER.FIELDS (.NOT): a header is never large
    POSTA_CO_TRY_ASSIGN(auto header, co_await ctx_.mailboxes->read(meta, static_cast<std::int64_t>(begin),
                                                                   static_cast<std::int64_t>(end - begin)));
    auto text = proto::filter_header_fields(header, a.header_fields,
                                            a.header_fields_not ? proto::field_selection::except
                                                                : proto::field_selection::only);
    if (a.partial) text = text.substr(std::min<std::size_t>(text.size(), a.partial->offset), a.partial->length);
    proto::append_literal(line, text);
    co_return result<void>{};
  }
  // BINARY[...] and BINARY.SIZE[...]: the part's content, decoded.
  auto const* part = proto::section_part(*ms, a.section.part);
  auto encoding = part && !a.section.part.empty() ? mime::classify_transfer_encoding(part->encoding)
                                                  : std::optional(mime::transfer_encoding::identity);
  if (!encoding) co_return make_error(errc::invalid_argument, "UNKNOWN-CTE");
  auto r = co_await fetch_binary(a, meta, *encoding, begin, end, line);  // decoded piece by piece
  co_return r;
}

}  // namespace posta::mail::imap::server
