// XEP-0198 stream management as bytes and numbers: the handled counts of
// section 4 (unsigned 32-bit, wrapping at 2^32), what an <a h='...'/>
// acknowledges, and the elements the server writes (<enabled/>, <resumed/>,
// <failed/>, <a/>, <r/>: sections 3, 4, 5, 6).
#pragma once

#include "jabber/proto/stanza_error.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace posta::jabber::proto {

// XEP-0198 4: 'h' counts stanzas mod 2^32; unsigned arithmetic wraps the same way.
using sm_count = std::uint32_t;

// A decimal 'h' (0 .. 2^32-1); nullopt for anything else (bad-request).
std::optional<sm_count> parse_sm_count(std::string_view text);

// How many of the `unacked` stanzas sent after `last_acked` an <a h='h'/>
// acknowledges (h - last_acked, mod 2^32); nullopt when that is more than
// were sent: XEP-0198 5 calls for undefined-condition (handled-count-too-high).
std::optional<std::size_t> newly_acked(sm_count last_acked, sm_count h, std::size_t unacked);

// XEP-0198 3: the 'resume' attribute is xs:boolean.
bool is_true(std::string_view xs_boolean);

std::string format_sm_enabled(std::string_view id, bool resume, std::uint32_t max_seconds);
std::string format_sm_resumed(std::string_view previd, sm_count h);
// XEP-0198 3, 5: <failed/> with a stanza error condition, and (since 1.6)
// the server's handled count when it has one, so the client can drop what
// arrived.
std::string format_sm_failed(stanza_condition c, std::optional<sm_count> h = std::nullopt);
std::string format_sm_ack(sm_count h);
// XEP-0198 5 (version 1.6): the application-specific condition of the
// undefined-condition stream error that answers an 'h' (in <a/> or
// <resume/>) past the `send_count` stanzas the server sent:
// <handled-count-too-high xmlns='urn:xmpp:sm:3' h='' send-count=''/>.
std::string format_handled_count_too_high(sm_count h, sm_count send_count);
std::string format_sm_request();

// What a piece of outbound XML written by Posta or gloox's Tag::xml() is:
// XEP-0198 counts only stanzas, not nonzas such as <a/> or a stream error.
enum class outbound_kind { message, presence, iq, other };
outbound_kind classify_outbound(std::string_view bytes);

// The value of attribute `name` in the start tag that opens `bytes`,
// unescaped; nullopt when absent. For outbound bytes that Posta or gloox
// wrote (quoted values with < > & ' " escaped), not for arbitrary XML.
std::optional<std::string> start_tag_attribute(std::string_view bytes, std::string_view name);

}  // namespace posta::jabber::proto
