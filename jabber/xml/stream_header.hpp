// The stream header (RFC 6120 section 4.7) from the root element expat
// reports, with the namespace checks of sections 4.8.1 and 4.8.2.
#pragma once

#include "jabber/xml/expanded_name.hpp"
#include "jabber/xml/stream_event.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace posta::jabber::xml {

// Namespace declarations on the root element, (prefix, namespace name); the
// default namespace has the empty prefix.
using declarations = std::vector<std::pair<std::string, std::string>>;

// The header, or the stream error it deserves: invalid-namespace when the
// root is not in the stream namespace or the default namespace is not
// `content_namespace`; bad-format when the root is not named "stream".
std::variant<stream_header, stream_failed> read_stream_header(expanded_name const& root, char const* const* attributes,
                                                              declarations declared,
                                                              std::string_view content_namespace);

}  // namespace posta::jabber::xml
