// Stream and stanza errors as gloox Tags (RFC 6120 sections 4.9.2, 8.3.1,
// 8.3.2): the same XML as proto/stream_error.hpp and proto/stanza_error.hpp
// produce as bytes, for code that works on Tags.
#pragma once

#include "jabber/proto/stanza_error.hpp"
#include "jabber/proto/stream_error.hpp"

#include <gloox/tag.h>

#include <memory>
#include <string_view>

namespace posta::jabber::xml {

// <stream:error>...</stream:error>; Tag::xml() relies on the enclosing stream
// header to bind the "stream" prefix, as the bytes form does.
std::unique_ptr<gloox::Tag> make_stream_error_tag(proto::stream_condition c, std::string_view text = {});

// <error type='...'>...</error>
std::unique_ptr<gloox::Tag> make_stanza_error_tag(proto::stanza_error const& e);

// The error reply to `stanza` (RFC 6120 section 8.3.1): the same element name
// and id, 'to' and 'from' swapped, type='error', and the <error/> child. The
// original payload is not included (8.3.1 allows leaving it out, and echoing
// it would double what a peer can make the server send).
std::unique_ptr<gloox::Tag> make_error_reply(gloox::Tag const& stanza, proto::stanza_error const& e);

}  // namespace posta::jabber::xml
