// SEARCH and UID SEARCH (RFC 3501 6.4.4, RFC 9051 6.4.4) with ESEARCH
// (RFC 4731), SEARCHRES (RFC 5182), CONDSTORE's MODSEQ (RFC 7162 3.1.5) and
// [BADCHARSET] for charsets other than UTF-8 and US-ASCII. Text keys ask
// the text index first (core/search/text_search.hpp); what it cannot answer
// is a substring scan over the decoded text, extracted on the CPU pool.
#include "core/net/blocking.hpp"
#include "core/search/text_search.hpp"
#include "mail/imap/proto/response.hpp"
#include "mail/imap/proto/response_data.hpp"
#include "mail/imap/server/search_eval.hpp"
#include "mail/imap/server/session.hpp"
#include "mail/store/body_cache.hpp"
#include "mail/store/mailbox_store.hpp"

#include <algorithm>
#include <chrono>
#include <unordered_map>

namespace posta::mail::imap::server {

namespace {

constexpr std::size_t search_batch = 256;
// Text of messages up to this size is extracted on the strand; larger ones
// on the CPU pool.
constexpr std::size_t inline_text_bytes = 64 * 1024;
// A large range of a message is read in pieces of this size (one database
// row substring or one pread each), gathered into one buffer per range.
constexpr std::uint64_t read_piece = 1 << 20;

// The ranges of one message that its searchable text is made of, each read
// once, in pieces; attachments are not read at all (mime::search_text_ranges).
struct message_excerpt {
  std::vector<std::pair<std::uint64_t, std::string>> ranges;  // by offset, disjoint
  std::uint64_t bytes = 0;

  std::string_view view(std::uint64_t begin, std::uint64_t end) const {
    auto it = std::upper_bound(ranges.begin(), ranges.end(), begin,
                               [](std::uint64_t b, auto const& r) { return b < r.first; });
    if (it == ranges.begin()) return {};
    --it;
    auto const offset = begin - it->first;
    if (offset >= it->second.size()) return {};
    return std::string_view(it->second).substr(offset, std::min(end, it->first + it->second.size()) - begin);
  }
};

asio::awaitable<result<message_excerpt>> read_excerpt(store::mailbox_store& boxes, store::message_meta const& meta,
                                                      std::vector<mime::message_range> const& ranges) {
  // The structure's offsets are the blob's; this copy's header prefix comes first.
  auto const prefix = static_cast<std::uint64_t>(meta.header_prefix.size());
  message_excerpt out;
  for (auto const& r : ranges) {
    std::string bytes;
    for (auto at = r.begin; at < r.end; at += read_piece) {
      auto const from = static_cast<std::int64_t>(prefix + at);
      auto const count = static_cast<std::int64_t>(std::min(read_piece, r.end - at));
      POSTA_CO_TRY_ASSIGN(auto piece, co_await boxes.read(meta, from, count));
      bool const short_read = static_cast<std::int64_t>(piece.size()) < count;
      bytes += piece;
      if (short_read) break;  // a structure past the end of its blob: keep what is there
    }
    out.bytes += bytes.size();
    out.ranges.emplace_back(r.begin, std::move(bytes));
  }
  co_return out;
}

void text_nodes(proto::search_key const& k, std::vector<proto::search_key const*>& out) {
  if (is_text_key(k.kind)) out.push_back(&k);
  for (auto const& c : k.children) text_nodes(c, out);
}

search::text_field field_of(proto::search_kind k) {
  switch (k) {
    case proto::search_kind::body: return search::text_field::body;
    case proto::search_kind::header: return search::text_field::header;
    case proto::search_kind::subject: return search::text_field::subject;
    case proto::search_kind::from: return search::text_field::from;
    case proto::search_kind::to: return search::text_field::to;
    case proto::search_kind::cc: return search::text_field::cc;
    case proto::search_kind::bcc: return search::text_field::bcc;
    default: return search::text_field::text;
  }
}

}  // namespace

bool session::charset_ok(std::string const& tag, std::optional<std::string> const& charset) {
  if (!charset || *charset == "UTF-8" || *charset == "US-ASCII") return true;
  no(tag, "Unsupported charset", "BADCHARSET (UTF-8 US-ASCII)");
  return false;
}

// The text keys the index can answer, each for all candidates at once.
asio::awaitable<void> session::ask_text_index(std::vector<proto::search_key const*> const& nodes,
                                              std::vector<std::uint32_t> const& positions,
                                              std::map<proto::search_key const*, std::set<std::uint32_t>>& indexed) {
  if (!ctx_.text_search) co_return;
  for (auto const* n : nodes) {
    search::text_query q{account_id_, box_.mailbox_id, field_of(n->kind), n->field, n->value, {}};
    for (auto p : positions) q.uids.push_back(selected_->uid_at(p));
    auto r = co_await ctx_.text_search->matching(std::move(q));
    if (r && *r) indexed[n] = std::set<std::uint32_t>((*r)->begin(), (*r)->end());
  }
}

// The decoded text a text key is matched against. FROM, SUBJECT, HEADER…
// need the header alone, a few hundred bytes, decoded once per body and
// kept in the body cache; BODY and TEXT decode the header and the text parts
// each time (the full-text index answers them when there is one), reading
// each of their bytes once, in pieces, and never an attachment.
asio::awaitable<result<std::shared_ptr<mime::search_text const>>> session::search_text_of(
    store::message_meta const& meta, bool with_body) {
  auto const& parsed = *meta.parsed;
  auto const& ms = parsed.structure();
  if (!with_body)
    if (auto cached = parsed.header_text()) co_return cached;
  mime::search_text_limits limits;
  if (!with_body) limits.max_body_bytes = 0;
  auto const ranges = mime::search_text_ranges(ms, limits);
  POSTA_CO_TRY_ASSIGN(auto excerpt, co_await read_excerpt(*ctx_.mailboxes, meta, ranges));
  mime::message_bytes const bytes = [&excerpt](std::uint64_t b, std::uint64_t e) { return excerpt.view(b, e); };
  std::shared_ptr<mime::search_text const> text;
  if (excerpt.bytes <= inline_text_bytes) {
    text = std::make_shared<mime::search_text const>(mime::extract_search_text(bytes, ms, limits));
  } else {
    auto extracted = co_await net::run_cpu([&] { return mime::extract_search_text(bytes, ms, limits); });
    text = std::make_shared<mime::search_text const>(std::move(extracted));
  }
  if (!with_body) parsed.set_header_text(text);
  co_return text;
}

asio::awaitable<std::optional<std::vector<session::search_hit>>> session::search_messages(
    std::string const& tag, proto::search_key const& key, bool with_structure) {
  bool const text = needs_text(key);
  bool const body = needs_body(key);
  bool const structure = with_structure || needs_structure(key);
  bool const meta = structure || needs_metadata(key);
  std::set<std::uint32_t> saved(saved_uids_.begin(), saved_uids_.end());
  std::map<proto::search_key const*, std::set<std::uint32_t>> indexed;
  std::vector<std::uint32_t> all;
  for (std::uint32_t p = 0; p < selected_->count(); ++p)
    if (!selected_->is_expunged(p)) all.push_back(p);
  std::vector<proto::search_key const*> nodes;
  if (text) text_nodes(key, nodes);
  co_await ask_text_index(nodes, all, indexed);
  bool const scan = text && indexed.size() != nodes.size();
  search_context sc{selected_->count(), selected_->uids().empty() ? 0 : selected_->uids().back(), &saved,
                    std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count(),
                    &indexed};
  std::vector<search_hit> hits;
  for (std::size_t at = 0; at < all.size(); at += search_batch) {
    std::vector<std::uint32_t> batch(all.begin() + at, all.begin() + std::min(all.size(), at + search_batch));
    meta_map metas;
    std::vector<store::message_meta> spill;
    if (meta) {
      auto r = co_await metas_of(batch, structure, spill);
      if (!r) {
        store_failed(tag, r.error(), "SEARCH");
        co_return std::nullopt;
      }
      metas = std::move(*r);
    }
    store::message_meta const none;
    for (auto p : batch) {
      store::message_meta const* m = &none;
      if (meta) {
        auto it = metas.find(selected_->uid_at(p));
        if (it == metas.end()) continue;  // expunged meanwhile
        m = it->second;
      }
      mime::message_structure const* ms = m->parsed ? &m->parsed->structure() : nullptr;
      std::shared_ptr<mime::search_text const> st;
      if (scan && ms) {
        auto text = co_await search_text_of(*m, body);
        if (!text) {
          store_failed(tag, text.error(), "SEARCH");
          co_return std::nullopt;
        }
        st = std::move(*text);
      }
      search_subject s{p + 1, selected_->uid_at(p), selected_->modseq_at(p), &selected_->flags_at(p),
                       m->internal_date, m->size, ms, st.get(), !rev2_ && selected_->is_recent(p)};
      if (!search_matches(key, s, sc)) continue;
      if (with_structure) hits.push_back({p, *m, ms});
      else hits.push_back({p, {}, nullptr});
    }
  }
  co_return hits;
}

asio::awaitable<bool> session::on(std::string const& tag, proto::search_cmd& c) {
  if (!charset_ok(tag, c.charset)) co_return true;
  auto hits = co_await search_messages(tag, c.key, false);
  if (!hits) co_return true;
  std::vector<std::uint32_t> ids, uids;
  std::uint64_t highest = 0;
  for (auto const& h : *hits) {
    ids.push_back(c.uid ? selected_->uid_at(h.pos) : h.pos + 1);
    uids.push_back(selected_->uid_at(h.pos));
    highest = std::max(highest, selected_->modseq_at(h.pos));
  }
  bool const modseq = has_modseq_key(c.key);
  if (modseq) condstore_ = true;
  auto ret = c.ret;
  // RFC 9051 6.4.4: an IMAP4rev2 client is answered with ESEARCH, ALL by default.
  if (rev2_ && !ret.present) ret.present = true;
  if (ret.present && !ret.min && !ret.max && !ret.all && !ret.count && !ret.save) ret.all = true;  // RETURN ()
  if (ret.save) saved_uids_ = uids;
  if (!ret.present) {
    std::string line = "SEARCH";
    for (auto id : ids) line += " " + std::to_string(id);
    if (modseq && !ids.empty()) line += " (MODSEQ " + std::to_string(highest) + ")";
    send(proto::untagged(line));
  } else if (ret.min || ret.max || ret.all || ret.count) {
    // RFC 5182 2.4: SAVE alone answers with no ESEARCH.
    std::optional<std::uint64_t> m;
    if (modseq) m = highest;
    send(proto::format_esearch(tag, c.uid, ret, ids, m));
  }
  ok(tag, std::string(c.uid ? "UID SEARCH" : "SEARCH") + " completed");
  co_return true;
}

}  // namespace posta::mail::imap::server
