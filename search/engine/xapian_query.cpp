// Parsed queries (search/proto/query.hpp) and IMAP text keys as Xapian
// queries over the term layout of search/proto/terms.hpp.
#include "search/engine/xapian_build.hpp"
#include "search/proto/fold.hpp"
#include "search/proto/terms.hpp"

#include <array>

namespace posta::search::engine {
namespace {

using proto::field;

// A field-less word is looked for in each of these.
constexpr std::array<field, 8> any_fields{field::body, field::subject, field::from,       field::to,
                                          field::cc,   field::bcc,     field::attachment, field::message_id};

bool is_stemmed(field f) {
  return f == field::body || f == field::subject || f == field::attachment;
}

// The terms that start with `pattern`, composed with OP_OR (a phrase takes
// leaf terms or OP_OR of them; Xapian 1.4 refuses OP_WILDCARD inside it).
// SECURITY: at most max_expansion terms; nullopt past it when `strict`,
// else the first max_expansion (a bounded answer).
std::optional<Xapian::Query> expand(Xapian::Database const& db, std::string const& pattern, bool strict) {
  std::vector<Xapian::Query> terms;
  for (auto it = db.allterms_begin(pattern); it != db.allterms_end(pattern); ++it) {
    if (terms.size() == max_expansion) {
      if (strict) return std::nullopt;
      break;
    }
    terms.emplace_back(*it);
  }
  if (terms.empty()) return Xapian::Query::MatchNothing;
  return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
}

// The words of one node in one field: a term (with its stem), a prefix, or a phrase.
Xapian::Query words_in(Xapian::Database const& db, proto::query_node const& n, field f,
                       std::optional<Xapian::Stem> const& stem) {
  std::string const prefix(proto::prefix_of(f));
  std::vector<Xapian::Query> parts;
  for (std::size_t i = 0; i < n.words.size(); ++i) {
    bool const last = i + 1 == n.words.size();
    if (last && n.prefix)
      parts.push_back(*expand(db, prefix + n.words[i], false));
    else
      parts.emplace_back(prefix + n.words[i]);
  }
  if (parts.size() > 1) return Xapian::Query(Xapian::Query::OP_PHRASE, parts.begin(), parts.end(), parts.size());
  if (!n.prefix && stem && is_stemmed(f))
    return Xapian::Query(Xapian::Query::OP_OR, parts.front(),
                         Xapian::Query(std::string(proto::stem_marker) + prefix + (*stem)(n.words.front())));
  return parts.front();
}

Xapian::Query words_query(Xapian::Database const& db, proto::query_node const& n,
                          std::optional<Xapian::Stem> const& stem) {
  if (n.in) return words_in(db, n, *n.in, stem);
  std::vector<Xapian::Query> per_field;
  for (auto f : any_fields) per_field.push_back(words_in(db, n, f, stem));
  return Xapian::Query(Xapian::Query::OP_OR, per_field.begin(), per_field.end());
}

Xapian::Query date_query(proto::query_node const& n) {
  auto const slot = proto::date_slot;
  auto ser = [](std::int64_t t) { return Xapian::sortable_serialise(static_cast<double>(t)); };
  // The upper end is exclusive: the last second before it, inclusive.
  if (n.from && n.to) return Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, ser(*n.from), ser(*n.to - 1));
  if (n.from) return Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, ser(*n.from));
  return Xapian::Query(Xapian::Query::OP_VALUE_LE, slot, ser(*n.to - 1));
}

}  // namespace

Xapian::Query query_of(Xapian::Database const& db, proto::query_node const& q,
                       std::optional<Xapian::Stem> const& stem) {
  using kind = proto::query_node::kind;
  switch (q.k) {
    case kind::words:
      return words_query(db, q, stem);
    case kind::date_range:
      return date_query(q);
    case kind::exclude:
      return Xapian::Query(Xapian::Query::OP_AND_NOT, Xapian::Query::MatchAll, query_of(db, q.children.front(), stem));
    case kind::all_of:
    case kind::any_of: {
      // Exclusions inside an all_of subtract from the others (a AND -b).
      std::vector<Xapian::Query> keep, drop;
      for (auto const& c : q.children) {
        if (q.k == kind::all_of && c.k == kind::exclude)
          drop.push_back(query_of(db, c.children.front(), stem));
        else
          keep.push_back(query_of(db, c, stem));
      }
      auto const op = q.k == kind::all_of ? Xapian::Query::OP_AND : Xapian::Query::OP_OR;
      Xapian::Query positive = keep.empty() ? Xapian::Query::MatchAll : Xapian::Query(op, keep.begin(), keep.end());
      if (drop.empty()) return positive;
      return Xapian::Query(Xapian::Query::OP_AND_NOT, positive,
                           Xapian::Query(Xapian::Query::OP_OR, drop.begin(), drop.end()));
    }
  }
  return Xapian::Query::MatchNothing;
}

// IMAP's keys are substrings (RFC 3501 6.4.4); the index has words. A key
// of whole words matches as the phrase of those words, the last one also as
// a prefix ("meet" finds "meeting", as a substring would). What words cannot
// find (a key starting inside a word, "eting") is the README's caveat.
std::optional<Xapian::Query> imap_query_of(Xapian::Database const& db, imap_words const& q) {
  std::vector<field> fields;
  switch (q.field) {
    case imap_field::text:
      fields = {field::body, field::header};
      break;
    case imap_field::body:
      fields = {field::body};
      break;
    case imap_field::header:
      fields = {field::header};
      break;
    case imap_field::subject:
      fields = {field::subject};
      break;
    case imap_field::from:
      fields = {field::from};
      break;
    case imap_field::to:
      fields = {field::to};
      break;
    case imap_field::cc:
      fields = {field::cc};
      break;
    case imap_field::bcc:
      fields = {field::bcc};
      break;
  }
  std::size_t skipped = 0;
  auto const words = proto::words(q.value, max_imap_words + 1, &skipped);
  if (words.empty() || skipped > 0 || words.size() > max_imap_words) return std::nullopt;
  std::vector<Xapian::Query> per_field;
  for (auto f : fields) {
    std::string const prefix(proto::prefix_of(f));
    std::vector<Xapian::Query> parts;
    for (std::size_t i = 0; i < words.size(); ++i) {
      if (i + 1 < words.size()) {
        parts.emplace_back(prefix + words[i]);
        continue;
      }
      // SECURITY: past the bound IMAP scans rather than answer partly.
      auto last = expand(db, prefix + words[i], true);
      if (!last) return std::nullopt;
      parts.push_back(std::move(*last));
    }
    per_field.push_back(parts.size() == 1
                            ? parts.front()
                            : Xapian::Query(Xapian::Query::OP_PHRASE, parts.begin(), parts.end(), parts.size()));
  }
  return Xapian::Query(Xapian::Query::OP_OR, per_field.begin(), per_field.end());
}

}  // namespace posta::search::engine
