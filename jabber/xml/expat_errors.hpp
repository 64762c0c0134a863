// The stream error for each expat parse error (RFC 6120 sections 4.9.3.13
// not-well-formed, 4.9.3.18 restricted-xml, 4.9.3.22 unsupported-encoding).
#pragma once

#include "jabber/proto/stream_error.hpp"

#include <expat.h>

namespace posta::jabber::xml {

proto::stream_condition condition_for(XML_Error error);

}  // namespace posta::jabber::xml
