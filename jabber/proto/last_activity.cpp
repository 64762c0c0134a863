// XEP-0012 result payloads (sections 3, 4).
#include "jabber/proto/last_activity.hpp"

#include "jabber/proto/namespaces.hpp"
#include "jabber/proto/xml_escape.hpp"

namespace posta::jabber::proto {

std::string format_last_activity(std::int64_t seconds, std::string_view status) {
  std::string out = "<query xmlns='";
  out += ns::last_activity;
  out += "' seconds='";
  out += std::to_string(seconds < 0 ? 0 : seconds);
  if (status.empty()) return out + "'/>";
  out += "'>";
  append_escaped(out, status);
  out += "</query>";
  return out;
}

}  // namespace posta::jabber::proto
