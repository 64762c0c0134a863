// The incremental reader of one XML stream (RFC 6120 sections 4, 11) over
// libexpat with namespace processing: bytes in, in pieces of any size;
// stream events out (stream_event.hpp). Refuses what RFC 6120 section 11.1
// restricts (DTDs, entity declarations and references, comments, processing
// instructions), anything but UTF-8 (11.6), and input past reader_limits.
#pragma once

#include "jabber/proto/namespaces.hpp"
#include "jabber/xml/reader_limits.hpp"
#include "jabber/xml/stream_event.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace posta::jabber::xml {

class stream_reader {
 public:
  // `content_namespace`: the default namespace the stream header must declare
  // (RFC 6120 section 4.8.2); another one is an invalid-namespace error.
  explicit stream_reader(reader_limits limits, std::string content_namespace = std::string(proto::ns::client));
  ~stream_reader();
  stream_reader(stream_reader&&) noexcept;
  stream_reader& operator=(stream_reader&&) noexcept;

  // The events `bytes` completes, in order. Any split of the same input
  // gives the same events. After stream_closed or stream_failed the reader is
  // finished and ignores further input, so a stream_failed comes only once.
  std::vector<stream_event> feed(std::string_view bytes);

  // A stream restart (RFC 6120 sections 5.3.4 after STARTTLS, 6.4.6 after
  // SASL): a new parser that expects a new stream header. SECURITY: bytes fed
  // before the restart and not yet returned as events are dropped, and so
  // must be the events that followed the one that triggered the restart in
  // the same feed: after <starttls/> they are plaintext injected before the
  // TLS handshake (the CVE-2011-0411 class of attack).
  void reset();

  // Frees the expat parser while the stream sits between stanzas (about
  // 10 KiB an idle connection need not hold); the next feed continues in a
  // new parser that has been given the stream header's namespace
  // declarations again, so the events are the same as without the call.
  // Does nothing unless the header is read and nothing after the last
  // stanza or keepalive is pending. Returns whether it freed the parser.
  bool release_parser();

  bool is_finished() const;
  // Bytes handed to expat since the last reset: at most one past the byte
  // where a bound was crossed, so an oversized stanza is refused without
  // being held whole.
  std::uint64_t bytes_parsed() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace posta::jabber::xml
