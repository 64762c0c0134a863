// A stanza Posta queued as bytes (gloox's Tag::xml() or Posta's own
// formatting) read back into a gloox Tag, through the same expat reader as
// a client stream (RFC 6120 section 11), for what must look inside it again:
// the redelivery of XEP-0198 unacknowledged stanzas.
#pragma once

#include "jabber/xml/reader_limits.hpp"

#include <gloox/tag.h>

#include <memory>
#include <string_view>

namespace posta::jabber::xml {

// The first stanza of `bytes` in a jabber:client stream; nullptr when the
// bytes are not one (a stream error, a nonza, or past `limits`).
std::unique_ptr<gloox::Tag> parse_stanza_bytes(std::string_view bytes, reader_limits const& limits);

}  // namespace posta::jabber::xml
