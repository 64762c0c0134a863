// Inside search/engine only: our documents and queries as Xapian objects.
#pragma once

#include "search/document.hpp"
#include "search/engine/mail_index.hpp"
#include "search/proto/query.hpp"

#include <xapian.h>

#include <optional>

namespace posta::search::engine {

// SECURITY: words indexed per document; text past it (a 16 MB body is
// about two million words) is not indexed, so one message cannot take
// unbounded memory and time of the indexer.
inline constexpr Xapian::termpos max_positions = 1'000'000;
// SECURITY: terms one prefix (word*) may expand to. Past it a query of the
// search API keeps the most frequent ones (a bounded answer); IMAP does not
// answer from the index and scans instead.
inline constexpr Xapian::termcount max_expansion = 500;
// SECURITY: words of an IMAP key answered by the index; longer keys scan.
inline constexpr std::size_t max_imap_words = 16;

// A stemmer for the language, or none.
std::optional<Xapian::Stem> stemmer_of(language l);

Xapian::Document document_of(mail_document const& d, std::optional<Xapian::Stem> const& stem);

// `db` expands prefixes (word*) into its terms.
Xapian::Query query_of(Xapian::Database const& db, proto::query_node const& q, std::optional<Xapian::Stem> const& stem);

// nullopt when the key is not for words (see match_imap_blocking), or when
// its prefix expands past max_expansion.
std::optional<Xapian::Query> imap_query_of(Xapian::Database const& db, imap_words const& q);

}  // namespace posta::search::engine
