// XML escaping for stanzas Posta writes itself: core/util/xml_escape.hpp.
#pragma once

#include "core/util/xml_escape.hpp"

namespace posta::jabber::proto {

inline void append_escaped(std::string& out, std::string_view text) {
  util::append_xml_escaped(out, text);
}
inline std::string escaped(std::string_view text) {
  return util::xml_escaped(text);
}

}  // namespace posta::jabber::proto
