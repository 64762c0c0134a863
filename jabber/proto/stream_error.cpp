// Stream error conditions and their XML (RFC 6120 sections 4.9.2, 4.9.3).
#include "jabber/proto/stream_error.hpp"

#include "jabber/proto/namespaces.hpp"
#include "jabber/proto/xml_escape.hpp"

#include <array>

namespace posta::jabber::proto {

namespace {

// Indexed by stream_condition.
constexpr std::array<std::string_view, 25> names = {
    "bad-format",
    "bad-namespace-prefix",
    "conflict",
    "connection-timeout",
    "host-gone",
    "host-unknown",
    "improper-addressing",
    "internal-server-error",
    "invalid-from",
    "invalid-namespace",
    "invalid-xml",
    "not-authorized",
    "not-well-formed",
    "policy-violation",
    "remote-connection-failed",
    "reset",
    "resource-constraint",
    "restricted-xml",
    "see-other-host",
    "system-shutdown",
    "undefined-condition",
    "unsupported-encoding",
    "unsupported-feature",
    "unsupported-stanza-type",
    "unsupported-version",
};

static_assert(names.size() == static_cast<std::size_t>(stream_condition::unsupported_version) + 1);

}  // namespace

std::string_view condition_name(stream_condition c) {
  return names.at(static_cast<std::size_t>(c));
}

std::optional<stream_condition> parse_stream_condition(std::string_view name) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<stream_condition>(i);
  }
  return std::nullopt;
}

std::string format_stream_error(stream_condition c, std::string_view text, std::string_view application) {
  std::string out = "<stream:error><";
  out.append(condition_name(c)).append(" xmlns='").append(ns::streams_errors).append("'/>");
  if (!text.empty()) {
    out.append("<text xmlns='").append(ns::streams_errors).append("' xml:lang='en'>");
    append_escaped(out, text);
    out.append("</text>");
  }
  return out.append(application).append("</stream:error>");
}

std::string format_stream_error_and_close(stream_condition c, std::string_view text, std::string_view application) {
  return format_stream_error(c, text, application) + "</stream:stream>";
}

}  // namespace posta::jabber::proto
