// The SEARCH keys, one by one.
#include "mail/imap/server/search_eval.hpp"

#include "mail/imap/proto/collation.hpp"

#include <algorithm>
#include <chrono>

namespace posta::mail::imap::server {
namespace {

using proto::search_kind;
using proto::search_key;

bool has_flag(search_subject const& m, std::string_view f) {
  if (!m.flags) return false;
  return std::any_of(m.flags->begin(), m.flags->end(),
                     [&](std::string const& x) { return proto::casemap_equals(x, f); });
}

template <class Pred>
bool any_key(search_key const& k, Pred p) {
  if (p(k.kind)) return true;
  return std::any_of(k.children.begin(), k.children.end(), [&](auto const& c) { return any_key(c, p); });
}

// IMAP dates ignore the time of day (RFC 3501 6.4.4); taken in UTC.
std::chrono::sys_days day_of(std::int64_t unix_seconds) {
  return std::chrono::floor<std::chrono::days>(std::chrono::sys_seconds(std::chrono::seconds(unix_seconds)));
}

bool date_key(search_kind k, std::chrono::sys_days day, std::chrono::sys_days d) {
  switch (k) {
    case search_kind::before:
    case search_kind::sent_before: return day < d;
    case search_kind::on:
    case search_kind::sent_on: return day == d;
    default: return day >= d;  // since, sent_since
  }
}

mail::mime::search_text_key text_kind(search_kind k) {
  using t = mail::mime::search_text_key;
  switch (k) {
    case search_kind::bcc: return t::bcc;
    case search_kind::body: return t::body;
    case search_kind::cc: return t::cc;
    case search_kind::from: return t::from;
    case search_kind::subject: return t::subject;
    case search_kind::to: return t::to;
    case search_kind::header: return t::header;
    default: return t::text;
  }
}

bool in_set(proto::sequence_set const& set, std::uint32_t n, std::uint32_t largest) {
  auto ranges = proto::normalize(set, largest);
  return proto::contains(ranges, n);
}

bool text_matches(search_key const& key, search_subject const& m, search_context const& ctx) {
  if (ctx.indexed) {
    auto it = ctx.indexed->find(&key);
    if (it != ctx.indexed->end()) return it->second.count(m.uid) != 0;
  }
  if (!m.text) return false;
  mail::mime::substring_matcher needle(key.value);
  return mail::mime::text_key_matches(*m.text, text_kind(key.kind), needle, key.field);
}

}  // namespace

bool is_text_key(search_kind k) {
  switch (k) {
    case search_kind::bcc:
    case search_kind::body:
    case search_kind::cc:
    case search_kind::from:
    case search_kind::subject:
    case search_kind::text:
    case search_kind::to:
    case search_kind::header: return true;
    default: return false;
  }
}

bool needs_structure(search_key const& key) {
  return any_key(key, [](search_kind k) {
    return is_text_key(k) || k == search_kind::sent_before || k == search_kind::sent_on || k == search_kind::sent_since;
  });
}

bool needs_metadata(search_key const& key) {
  return needs_structure(key) || any_key(key, [](search_kind k) {
           return k == search_kind::before || k == search_kind::on || k == search_kind::since ||
                  k == search_kind::larger || k == search_kind::smaller || k == search_kind::older ||
                  k == search_kind::younger;
         });
}

bool needs_text(search_key const& key) { return any_key(key, is_text_key); }

bool needs_body(search_key const& key) {
  return any_key(key, [](search_kind k) { return k == search_kind::text || k == search_kind::body; });
}

bool has_modseq_key(search_key const& key) {
  return any_key(key, [](search_kind k) { return k == search_kind::modseq; });
}

bool search_matches(search_key const& key, search_subject const& m, search_context const& ctx) {
  switch (key.kind) {
    case search_kind::all: return true;
    case search_kind::and_:
      return std::all_of(key.children.begin(), key.children.end(),
                         [&](auto const& c) { return search_matches(c, m, ctx); });
    case search_kind::or_:
      return std::any_of(key.children.begin(), key.children.end(),
                         [&](auto const& c) { return search_matches(c, m, ctx); });
    case search_kind::not_: return key.children.empty() || !search_matches(key.children.front(), m, ctx);
    case search_kind::sequence:
      if (key.set.saved) return ctx.saved && ctx.saved->count(m.uid);
      return in_set(key.set, m.seq, ctx.message_count);
    case search_kind::uid:
      if (key.set.saved) return ctx.saved && ctx.saved->count(m.uid);
      return in_set(key.set, m.uid, ctx.largest_uid);
    case search_kind::answered: return has_flag(m, "\\Answered");
    case search_kind::deleted: return has_flag(m, "\\Deleted");
    case search_kind::draft: return has_flag(m, "\\Draft");
    case search_kind::flagged: return has_flag(m, "\\Flagged");
    case search_kind::seen: return has_flag(m, "\\Seen");
    case search_kind::unanswered: return !has_flag(m, "\\Answered");
    case search_kind::undeleted: return !has_flag(m, "\\Deleted");
    case search_kind::undraft: return !has_flag(m, "\\Draft");
    case search_kind::unflagged: return !has_flag(m, "\\Flagged");
    case search_kind::unseen: return !has_flag(m, "\\Seen");
    case search_kind::keyword: return has_flag(m, key.field);
    case search_kind::unkeyword: return !has_flag(m, key.field);
    // RFC 3501 6.4.4: NEW is RECENT UNSEEN, OLD is NOT RECENT; an IMAP4rev2
    // session has no \Recent messages (RFC 9051 removed the flag).
    case search_kind::recent: return m.recent;
    case search_kind::new_: return m.recent && !has_flag(m, "\\Seen");
    case search_kind::old: return !m.recent;
    case search_kind::before:
    case search_kind::on:
    case search_kind::since: return date_key(key.kind, day_of(m.internal_date), std::chrono::sys_days(key.date));
    case search_kind::sent_before:
    case search_kind::sent_on:
    case search_kind::sent_since: {
      auto sent = m.structure && m.structure->sent_date ? *m.structure->sent_date : m.internal_date;
      return date_key(key.kind, day_of(sent), std::chrono::sys_days(key.date));
    }
    case search_kind::larger: return static_cast<std::uint64_t>(m.size) > key.number;
    case search_kind::smaller: return static_cast<std::uint64_t>(m.size) < key.number;
    case search_kind::older: return m.internal_date <= ctx.now - static_cast<std::int64_t>(key.number);
    case search_kind::younger: return m.internal_date >= ctx.now - static_cast<std::int64_t>(key.number);
    case search_kind::modseq: return m.modseq >= key.number;
    default: return text_matches(key, m, ctx);
  }
}

}  // namespace posta::mail::imap::server
