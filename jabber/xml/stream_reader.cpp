// The XML stream reader over libexpat (RFC 6120 sections 4.2-4.4, 4.7-4.9,
// 11.1, 11.6, 13.12): expat callbacks, positions and the reader's bounds.
#include "jabber/xml/stream_reader.hpp"

#include "jabber/xml/expat_errors.hpp"
#include "jabber/xml/stream_header.hpp"
#include "jabber/xml/tag_builder.hpp"

#include <expat.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

namespace posta::jabber::xml {

namespace {

using proto::stream_condition;

// Input reaches expat in slices of at most this size (see impl::room()).
constexpr std::size_t parse_slice_bytes = 8 * 1024;

struct parser_deleter {
  void operator()(XML_ParserStruct* p) const { XML_ParserFree(p); }
};

bool is_xml_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// SECURITY: expat guesses UTF-16 from a NUL among a document's first bytes and
// follows a UTF-16 byte order mark even with UTF-8 forced, while RFC 6120
// section 11.6 allows UTF-8 only. So the first bytes of each stream are held
// back until this many can be checked (no event needs fewer).
constexpr std::size_t encoding_sniff_bytes = 4;

// UTF-16 or UTF-32, with or without a byte order mark.
bool starts_like_wide_encoding(std::string_view first) {
  auto const b = static_cast<unsigned char>(first.front());
  return b == 0xFE || b == 0xFF || first.find('\0') != std::string_view::npos;
}

// An attribute value that reads back as `value`: markup characters and the
// white space that attribute-value normalisation would turn into spaces are
// character references (XML 1.0 section 3.3.3).
void append_attribute_value(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\t':
        out += "&#9;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        out += c;
    }
  }
}

// The stream's start tag with only what a later parser needs to resolve the
// names of stanzas and of the end tag: the root's qualified name and its
// namespace declarations (stream_reader::release_parser()).
std::string resume_start_tag(expanded_name const& root, declarations const& declared) {
  std::string qname =
      root.prefix.empty() ? std::string(root.local) : std::string(root.prefix) + ":" + std::string(root.local);
  std::string out = "<" + qname;
  for (auto const& [prefix, uri] : declared) {
    out += prefix.empty() ? " xmlns='" : " xmlns:" + prefix + "='";
    append_attribute_value(out, uri);
    out += '\'';
  }
  out += '>';
  return out;
}

bool is_utf8_label(char const* encoding) {
  std::string_view const e = encoding;
  return e.size() == 5 && std::equal(e.begin(), e.end(), "utf-8", [](char a, char b) { return (a | 0x20) == b; });
}

}  // namespace

struct stream_reader::impl {
  struct handlers;

  impl(reader_limits l, std::string ns) : limits(l), content_namespace(std::move(ns)) { restart(); }

  void restart();
  void new_parser();
  void install_handlers();
  bool release_parser();
  void resume_parser();
  std::uint64_t position() const;
  void feed(std::string_view bytes);
  std::size_t room() const;
  void parse(std::string_view piece);
  void check_unparsed();

  void start(char const* name, char const** attributes);
  void end();
  void text(std::string_view data);
  void other() { note_event(true); }
  void declaration(char const* prefix, char const* uri);
  void xml_declaration(char const* encoding);
  void restricted(char const* what) {
    if (note_event(true)) fail(stream_condition::restricted_xml, what);
  }
  void fail(stream_condition c, std::string detail);

  bool within_attribute_bounds(char const* const* attributes);
  void open_stream(char const* name, char const** attributes);
  void open_element(char const* name, char const** attributes);
  void end_stanza();
  std::uint64_t event_end() const;
  bool note_event(bool is_markup);
  std::uint64_t stanza_bytes(std::uint64_t end) const { return end - mark; }

  reader_limits limits;
  std::string content_namespace;
  std::unique_ptr<XML_ParserStruct, parser_deleter> parser;
  tag_builder builder;
  declarations root_declarations;
  std::string first_bytes;  // of the stream, until encoding_sniff_bytes are there
  // The stream's start tag as a new parser is given it after
  // release_parser(): its name and namespace declarations, nothing else.
  std::string resume_header;
  // Where the parser's byte 0 is in the stream, less what it was given of
  // resume_header: positions are the stream's whichever parser reads it.
  std::uint64_t parser_origin = 0;
  std::vector<stream_event>* out = nullptr;
  bool finished = false;
  std::size_t depth = 0;     // open elements, the stream's included
  std::size_t elements = 0;  // in the current stanza
  std::uint64_t fed = 0;     // bytes handed to expat
  std::uint64_t last_event_end = 0;
  // Where the current stanza started, or where the last first-level thing
  // (header, stanza, whitespace) ended: the stanza bound counts from here.
  std::uint64_t mark = 0;
};

// expat's callbacks, each forwarding to the reader that owns the parser.
struct stream_reader::impl::handlers {
  static impl& self(void* user_data) { return *static_cast<impl*>(user_data); }
  static void start(void* u, XML_Char const* name, XML_Char const** atts) { self(u).start(name, atts); }
  static void end(void* u, XML_Char const*) { self(u).end(); }
  static void text(void* u, XML_Char const* s, int len) { self(u).text({s, static_cast<std::size_t>(len)}); }
  static void ns(void* u, XML_Char const* prefix, XML_Char const* uri) { self(u).declaration(prefix, uri); }
  static void xml_decl(void* u, XML_Char const*, XML_Char const* encoding, int) { self(u).xml_declaration(encoding); }
  static void comment(void* u, XML_Char const*) { self(u).restricted("comment"); }
  static void pi(void* u, XML_Char const*, XML_Char const*) { self(u).restricted("processing instruction"); }
  static void doctype(void* u, XML_Char const*, XML_Char const*, XML_Char const*, int) {
    self(u).restricted("DOCTYPE");
  }
  static void entity(void* u, XML_Char const*, int, XML_Char const*, int, XML_Char const*, XML_Char const*,
                     XML_Char const*, XML_Char const*) {
    self(u).restricted("entity declaration");
  }
  static void skipped(void* u, XML_Char const*, int) { self(u).restricted("entity reference"); }
  static void other(void* u, XML_Char const*, int) { self(u).other(); }
};

void stream_reader::impl::restart() {
  new_parser();
  builder = tag_builder();
  root_declarations.clear();
  first_bytes.clear();
  resume_header.clear();
  parser_origin = 0;
  finished = false;
  depth = elements = 0;
  fed = last_event_end = mark = 0;
  install_handlers();
}

// SECURITY: no external entities are ever loaded (no handler), parameter
// entities are never parsed, and a DOCTYPE stops the parse before its
// internal subset is read: no DTD exists, so no entity can expand (billion
// laughs) and no attribute gets a default. (Both settings must precede the
// first XML_Parse.)
void stream_reader::impl::new_parser() {
  parser.reset(XML_ParserCreateNS("UTF-8", namespace_separator));
  if (!parser) std::abort();  // out of memory for a few KiB: nothing sensible is left to do
  XML_Parser const p = parser.get();
  XML_SetUserData(p, this);
  XML_SetReturnNSTriplet(p, XML_TRUE);
  XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
}

void stream_reader::impl::install_handlers() {
  XML_Parser const p = parser.get();
  XML_SetElementHandler(p, handlers::start, handlers::end);
  XML_SetCharacterDataHandler(p, handlers::text);
  XML_SetStartNamespaceDeclHandler(p, handlers::ns);
  XML_SetXmlDeclHandler(p, handlers::xml_decl);
  XML_SetCommentHandler(p, handlers::comment);
  XML_SetProcessingInstructionHandler(p, handlers::pi);
  XML_SetStartDoctypeDeclHandler(p, handlers::doctype);
  XML_SetEntityDeclHandler(p, handlers::entity);
  XML_SetSkippedEntityHandler(p, handlers::skipped);
  // Whatever no other handler takes (whitespace before the header, CDATA
  // section delimiters), so that every byte expat has read is accounted for.
  XML_SetDefaultHandlerExpand(p, handlers::other);
}

void stream_reader::impl::feed(std::string_view bytes) {
  std::string start;
  if (fed == 0) {
    first_bytes.append(bytes);
    if (first_bytes.size() < encoding_sniff_bytes) return;
    if (starts_like_wide_encoding(std::string_view(first_bytes).substr(0, encoding_sniff_bytes)))
      return fail(stream_condition::unsupported_encoding, "not UTF-8");
    start = std::exchange(first_bytes, {});
    bytes = start;
  }
  if (!parser && !bytes.empty()) resume_parser();
  while (!finished && !bytes.empty()) {
    auto const piece = bytes.substr(0, std::min(parse_slice_bytes, room()));
    bytes.remove_prefix(piece.size());
    parse(piece);
  }
}

// SECURITY: expat is given at most one byte past the stanza bound and one
// past the tag bound, as they stand when the slice starts (both only move
// forward while it is parsed). So expat never holds an oversized stanza or
// tag, and a bound is crossed on the same byte however the input was split:
// the same input always ends with the same stream error.
std::size_t stream_reader::impl::room() const {
  auto const stanza_room = mark + limits.max_stanza_bytes + 1 - fed;
  auto const tag_room = last_event_end + limits.max_tag_bytes + 1 - fed;
  return static_cast<std::size_t>(std::min(stanza_room, tag_room));
}

void stream_reader::impl::parse(std::string_view piece) {
  fed += piece.size();
  if (XML_Parse(parser.get(), piece.data(), static_cast<int>(piece.size()), XML_FALSE) == XML_STATUS_ERROR) {
    // Stopped by a handler (finished is then set), or an error of expat's own.
    if (finished) return;
    XML_Error const e = XML_GetErrorCode(parser.get());
    fail(condition_for(e), XML_ErrorString(e));
    return;
  }
  check_unparsed();
}

// The bytes expat holds without having reported them (an unfinished token),
// and those of the unfinished stanza. Afterwards fed <= last_event_end + the
// tag bound and fed <= mark + the stanza bound, so room() is at least 1.
void stream_reader::impl::check_unparsed() {
  if (fed - last_event_end > limits.max_tag_bytes) {
    fail(stream_condition::policy_violation, "unfinished tag longer than the tag bound");
  } else if (stanza_bytes(fed) > limits.max_stanza_bytes) {
    fail(stream_condition::policy_violation, "stanza larger than the stanza bound");
  }
}

// Between stanzas nothing of the stream is in the parser but its root's
// namespace bindings, and the reader's own state (depth 1, the positions)
// stays as it is: a new parser given the root's start tag again reads the
// rest exactly as the old one would have.
bool stream_reader::impl::release_parser() {
  if (!parser || finished || depth != 1 || fed != last_event_end || resume_header.empty()) return false;
  parser.reset();
  builder = tag_builder();  // and the capacity its last stanza left
  return true;
}

// The new parser reads the saved start tag without handlers (it yields no
// event and counts for no bound: those bytes were counted once already).
void stream_reader::impl::resume_parser() {
  new_parser();
  if (XML_Parse(parser.get(), resume_header.data(), static_cast<int>(resume_header.size()), XML_FALSE) != XML_STATUS_OK)
    std::abort();  // resume_header is well-formed by construction
  parser_origin = fed - resume_header.size();
  install_handlers();
}

// The stream position of the current event's first byte.
std::uint64_t stream_reader::impl::position() const {
  auto const index = XML_GetCurrentByteIndex(parser.get());
  return parser_origin + static_cast<std::uint64_t>(std::max<XML_Index>(index, 0));
}

std::uint64_t stream_reader::impl::event_end() const {
  auto const count = XML_GetCurrentByteCount(parser.get());
  return position() + static_cast<std::uint64_t>(std::max(count, 0));
}

// Records how far expat has reported; false once finished (expat may still
// deliver an event or two after XML_StopParser) or past a bound. Markup is
// every event but character data, which expat reports in runs as it comes.
bool stream_reader::impl::note_event(bool is_markup) {
  if (finished) return false;
  last_event_end = std::max(last_event_end, event_end());
  if (is_markup && static_cast<std::size_t>(XML_GetCurrentByteCount(parser.get())) > limits.max_tag_bytes) {
    fail(stream_condition::policy_violation, "tag longer than the tag bound");
  } else if (stanza_bytes(last_event_end) > limits.max_stanza_bytes) {
    fail(stream_condition::policy_violation, "stanza larger than the stanza bound");
  }
  return !finished;
}

void stream_reader::impl::fail(stream_condition c, std::string detail) {
  if (finished) return;
  finished = true;
  out->push_back(stream_failed{c, std::move(detail)});
  XML_StopParser(parser.get(), XML_FALSE);
}

void stream_reader::impl::start(char const* name, char const** attributes) {
  if (depth == 1) mark = position();
  if (!note_event(true) || !within_attribute_bounds(attributes)) return;
  if (depth == 0) {
    open_stream(name, attributes);
  } else {
    open_element(name, attributes);
  }
}

bool stream_reader::impl::within_attribute_bounds(char const* const* attributes) {
  std::size_t count = 0;
  for (auto a = attributes; *a != nullptr; a += 2, ++count) {
    if (std::string_view(a[1]).size() > limits.max_attribute_bytes) {
      fail(stream_condition::policy_violation, "attribute value longer than the attribute bound");
      return false;
    }
  }
  if (count > limits.max_attributes) fail(stream_condition::policy_violation, "more attributes than the bound");
  return !finished;
}

void stream_reader::impl::open_stream(char const* name, char const** attributes) {
  auto const root = split_expanded_name(name);
  std::string resume = resume_start_tag(root, root_declarations);
  auto header = read_stream_header(root, attributes, std::move(root_declarations), content_namespace);
  if (auto* failed = std::get_if<stream_failed>(&header)) {
    fail(failed->condition, std::move(failed->detail));
    return;
  }
  resume_header = std::move(resume);
  depth = 1;
  mark = last_event_end;
  out->push_back(stream_opened{std::move(std::get<stream_header>(header))});
}

void stream_reader::impl::open_element(char const* name, char const** attributes) {
  if (depth == 1) elements = 0;
  if (depth > limits.max_depth) return fail(stream_condition::policy_violation, "nested deeper than the depth bound");
  if (++elements > limits.max_elements) return fail(stream_condition::policy_violation, "more elements than the bound");
  if (!builder.open(split_expanded_name(name), attributes)) {
    return fail(stream_condition::bad_format, "gloox refused a name or attribute value");
  }
  ++depth;
}

void stream_reader::impl::end() {
  if (!note_event(true)) return;
  if (depth == 1) {
    finished = true;
    out->push_back(stream_closed{});
    XML_StopParser(parser.get(), XML_FALSE);
    return;
  }
  if (!builder.close()) return fail(stream_condition::bad_format, "gloox refused character data");
  if (--depth == 1) end_stanza();
}

void stream_reader::impl::end_stanza() {
  out->push_back(stanza_received{builder.take()});
  mark = last_event_end;
}

// Between stanzas only whitespace may appear (keepalives, RFC 6120 section
// 4.6.1); the stream element has no character data of its own.
void stream_reader::impl::text(std::string_view data) {
  if (!note_event(false)) return;
  if (depth == 1) {
    if (!std::all_of(data.begin(), data.end(), is_xml_space)) {
      return fail(stream_condition::bad_format, "text outside a stanza");
    }
    mark = last_event_end;
    return;
  }
  if (builder.pending_text_bytes() + data.size() > limits.max_text_bytes) {
    return fail(stream_condition::policy_violation, "text longer than the text bound");
  }
  builder.text(data);
}

// Only the stream header's declarations matter here; expat resolves the
// others into the names it reports.
void stream_reader::impl::declaration(char const* prefix, char const* uri) {
  if (!note_event(true) || depth != 0) return;
  root_declarations.emplace_back(prefix ? prefix : "", uri ? uri : "");
}

void stream_reader::impl::xml_declaration(char const* encoding) {
  if (!note_event(true)) return;
  if (encoding != nullptr && !is_utf8_label(encoding)) {
    fail(stream_condition::unsupported_encoding, "declared encoding is not UTF-8");
  }
}

stream_reader::stream_reader(reader_limits limits, std::string content_namespace)
    : impl_(std::make_unique<impl>(limits, std::move(content_namespace))) {}

stream_reader::~stream_reader() = default;
stream_reader::stream_reader(stream_reader&&) noexcept = default;
stream_reader& stream_reader::operator=(stream_reader&&) noexcept = default;

std::vector<stream_event> stream_reader::feed(std::string_view bytes) {
  std::vector<stream_event> events;
  if (impl_->finished) return events;
  impl_->out = &events;
  impl_->feed(bytes);
  impl_->out = nullptr;
  return events;
}

void stream_reader::reset() {
  impl_->restart();
}

bool stream_reader::release_parser() {
  return impl_->release_parser();
}

bool stream_reader::is_finished() const {
  return impl_->finished;
}

std::uint64_t stream_reader::bytes_parsed() const {
  return impl_->fed;
}

}  // namespace posta::jabber::xml
