// Stanza errors (RFC 6120 section 8.3): error types, the defined conditions
// and the <error/> child of an error stanza, as bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace posta::jabber::proto {

// RFC 6120 section 8.3.2: what the sender may do about it.
enum class stanza_error_type { auth, cancel, continue_, modify, wait };

// RFC 6120 section 8.3.3, in its order.
enum class stanza_condition {
  bad_request,
  conflict,
  feature_not_implemented,
  forbidden,
  gone,
  internal_server_error,
  item_not_found,
  jid_malformed,
  not_acceptable,
  not_allowed,
  not_authorized,
  policy_violation,
  recipient_unavailable,
  redirect,
  registration_required,
  remote_server_not_found,
  remote_server_timeout,
  resource_constraint,
  service_unavailable,
  subscription_required,
  undefined_condition,
  unexpected_request,
};

struct stanza_error {
  stanza_error_type type;
  stanza_condition condition;
  std::string text;  // for people, in English; empty: no <text/>
  std::string by;    // the entity that returns the error (8.3.2 'by'); empty: none
};

std::string_view type_name(stanza_error_type t);
std::string_view condition_name(stanza_condition c);
std::optional<stanza_error_type> parse_stanza_error_type(std::string_view name);
std::optional<stanza_condition> parse_stanza_condition(std::string_view name);

// The type RFC 6120's example for each condition carries (8.3.3.x).
stanza_error_type default_type(stanza_condition c);

// A stanza_error with the condition's default type.
stanza_error make_stanza_error(stanza_condition c, std::string text = {});

// <error type='T' [by='B']><COND xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
// [<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>TEXT</text>]
// </error> (RFC 6120 section 8.3.2).
std::string format_stanza_error(stanza_error const& e);

}  // namespace posta::jabber::proto
