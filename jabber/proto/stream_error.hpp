// Stream errors (RFC 6120 section 4.9): the defined conditions and the
// <stream:error/> element that ends a stream, as bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace posta::jabber::proto {

// RFC 6120 section 4.9.3, in its order.
enum class stream_condition {
  bad_format,
  bad_namespace_prefix,
  conflict,
  connection_timeout,
  host_gone,
  host_unknown,
  improper_addressing,
  internal_server_error,
  invalid_from,
  invalid_namespace,
  invalid_xml,
  not_authorized,
  not_well_formed,
  policy_violation,
  remote_connection_failed,
  reset,
  resource_constraint,
  restricted_xml,
  see_other_host,
  system_shutdown,
  undefined_condition,
  unsupported_encoding,
  unsupported_feature,
  unsupported_stanza_type,
  unsupported_version,
};

// "not-well-formed" for stream_condition::not_well_formed.
std::string_view condition_name(stream_condition c);

std::optional<stream_condition> parse_stream_condition(std::string_view name);

// <stream:error><COND xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>
// [<text xmlns='urn:ietf:params:xml:ns:xmpp-streams' xml:lang='en'>TEXT</text>]
// </stream:error>, to be written inside a stream whose header binds the
// "stream" prefix (RFC 6120 section 4.9.2). `text` is for people (4.9.2:
// it is descriptive, never the only carrier of meaning); empty: no <text/>.
// `application` is an application-specific condition element (4.9.4), as
// bytes Posta formatted, written last.
std::string format_stream_error(stream_condition c, std::string_view text = {}, std::string_view application = {});

// What ends a stream after an error: the error, then the close tag
// (RFC 6120 section 4.9.1.1).
std::string format_stream_error_and_close(stream_condition c, std::string_view text = {},
                                          std::string_view application = {});

}  // namespace posta::jabber::proto
