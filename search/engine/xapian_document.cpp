// A message as a Xapian document: positional terms per field prefix
// (search/proto/terms.hpp), stemmed terms beside the unstemmed ones for
// the fields people search in words, the date for ranges and sorting, and
// what a hit shows in its data.
#include "search/engine/xapian_build.hpp"
#include "search/proto/fold.hpp"
#include "search/proto/terms.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace posta::search::engine {
namespace {

// SECURITY: the body text kept in a document's data for snippets.
constexpr std::size_t excerpt_bytes = 8 * 1024;

class term_writer {
 public:
  term_writer(Xapian::Document& doc, std::optional<Xapian::Stem> const& stem) : doc_(doc), stem_(stem) {}

  void add(std::string_view text, proto::field f, bool stemmed) {
    std::string const prefix(proto::prefix_of(f));
    proto::for_each_word(text, [&](proto::word const& w) {
      if (pos_ >= max_positions) return false;
      doc_.add_posting(prefix + w.folded, ++pos_);
      if (stemmed && stem_) doc_.add_term(std::string(proto::stem_marker) + prefix + (*stem_)(w.folded));
      return true;
    });
    pos_ += 2;  // no phrase runs from one field value into the next
  }

 private:
  Xapian::Document& doc_;
  std::optional<Xapian::Stem> const& stem_;
  Xapian::termpos pos_ = 0;
};

// Up to `bytes`, cut at a UTF-8 boundary.
std::string prefix_bytes(std::string const& s, std::size_t bytes) {
  if (s.size() <= bytes) return s;
  while (bytes > 0 && (static_cast<unsigned char>(s[bytes]) & 0xC0) == 0x80) --bytes;
  return s.substr(0, bytes);
}

}  // namespace

std::optional<Xapian::Stem> stemmer_of(language l) {
  switch (l) {
    case language::english:
      return Xapian::Stem("english");
    case language::french:
      return Xapian::Stem("french");
    case language::russian:
      return Xapian::Stem("russian");
    case language::none:
      return std::nullopt;
  }
  return std::nullopt;
}

Xapian::Document document_of(mail_document const& d, std::optional<Xapian::Stem> const& stem) {
  Xapian::Document doc;
  term_writer w(doc, stem);
  using proto::field;
  w.add(d.subject, field::subject, true);
  w.add(d.from, field::from, false);
  w.add(d.to, field::to, false);
  w.add(d.cc, field::cc, false);
  w.add(d.bcc, field::bcc, false);
  w.add(d.message_id, field::message_id, false);
  for (auto const& name : d.attachment_names) w.add(name, field::attachment, true);
  w.add(d.headers, field::header, false);
  w.add(d.body, field::body, true);
  doc.add_boolean_term(proto::unique_term(d.mailbox_id, d.uid));
  doc.add_boolean_term(proto::mailbox_term(d.mailbox_id));
  doc.add_value(proto::date_slot, Xapian::sortable_serialise(static_cast<double>(d.date)));
  doc.add_value(proto::key_slot, proto::format_key(d.mailbox_id, d.uid));
  doc.add_value(proto::mailbox_slot, std::to_string(d.mailbox_id));
  doc.set_data(boost::json::serialize(boost::json::object{{"f", d.display_from.empty() ? d.from : d.display_from},
                                                          {"s", d.subject},
                                                          {"d", d.date},
                                                          {"x", prefix_bytes(d.body, excerpt_bytes)}}));
  return doc;
}

}  // namespace posta::search::engine
