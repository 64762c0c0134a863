// The SASL negotiation elements a server writes (RFC 6120 section 6.4):
// <challenge/>, <success/>, <failure/> with its defined conditions (6.5),
// and the STARTTLS answers (5.4.2.3).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace posta::jabber::proto {

// RFC 6120 section 6.5, in its order.
enum class sasl_condition {
  aborted,
  account_disabled,
  credentials_expired,
  encryption_required,
  incorrect_encoding,
  invalid_authzid,
  invalid_mechanism,
  malformed_request,
  mechanism_too_weak,
  not_authorized,
  temporary_auth_failure,
};

std::string_view condition_name(sasl_condition c);

// <failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><COND/></failure>
std::string format_sasl_failure(sasl_condition c);

// `base64` is the already encoded data; empty data is written as "=" (6.4.2:
// an empty element would mean "no data").
std::string format_sasl_challenge(std::string_view base64);
std::string format_sasl_success(std::string_view base64);  // empty: <success/>

std::string format_tls_proceed();
std::string format_tls_failure();

// The XML character data of <auth/> or <response/> as base64 text: nullopt for
// an empty element (no initial response), "" for "=" (an empty response, 6.4.2).
std::optional<std::string_view> sasl_payload(std::string_view cdata);

}  // namespace posta::jabber::proto
