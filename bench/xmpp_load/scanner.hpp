// The load generator's view of an XMPP stream (RFC 6120 4.1, 4.8): cuts the
// bytes into the stream header, complete top-level elements (stanzas and
// stream-level elements) and the stream close, without a full XML parser.
// It honours quoted attribute values (either quote), self-closing tags,
// comments and the XML declaration, which is all a server sends; a
// top-level element larger than a bound is reported as malformed.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace posta::bench::xmpp_load {

enum class scan_event { need_more, header, element, closed, malformed };

class stream_scanner {
 public:
  void feed(std::string_view data) { buf_.append(data); }
  // The next event; for `header` and `element`, `out` holds its text.
  scan_event next(std::string& out);
  // A new stream starts on the same bytes (after STARTTLS or SASL success).
  void restart();
  std::size_t buffered() const { return buf_.size() - pos_; }

 private:
  void compact();
  std::string buf_;
  std::size_t pos_ = 0;    // next byte to scan
  std::size_t start_ = 0;  // first byte of the top-level element being read
  int depth_ = 0;          // 0: before the header, 1: inside the stream
};

// SECURITY: a top-level element larger than this ends the run's connection.
constexpr std::size_t max_element_bytes = 4 * 1024 * 1024;

// The qualified name of an element's start tag ("stream:features"), and its
// local part ("features").
std::string_view element_name(std::string_view element);
std::string_view local_name(std::string_view element);
// The value of attribute `name` of the element's start tag, as written
// (entities not decoded); nullopt when absent.
std::optional<std::string_view> attribute(std::string_view element, std::string_view name);
// The text of the first child element with local name `child` (e.g. body,
// jid), as written; nullopt when there is none.
std::optional<std::string_view> child_text(std::string_view element, std::string_view child);
// Whether a child element with this local name occurs anywhere inside.
bool has_child(std::string_view element, std::string_view child);

}  // namespace posta::bench::xmpp_load
