// What a c2s server writes to open a stream and to offer its features
// (RFC 6120 sections 4.3.2, 4.7, 5.4.1, 6.4.1, 7.2; RFC 3921 section 3 for
// the legacy session feature), and which SASL mechanisms a stream may offer.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace posta::jabber::proto {

// The response stream header (RFC 6120 section 4.7): from the host the
// client asked for, a fresh id, version 1.0, in `content_namespace`.
std::string format_stream_header(std::string_view from_domain, std::string_view id, std::string_view content_namespace);

// The stream's state as far as the features it may list are concerned.
struct c2s_stream_state {
  bool tls_available = false;  // the listener has a certificate
  bool tls_active = false;
  bool require_tls = true;  // the setting xmpp.require_tls
  bool authenticated = false;
  std::string_view caps;  // XEP-0115 <c/> offered once authenticated (jabber/server/caps_ver.hpp), or empty
};

// SECURITY: a plaintext password (PLAIN) only inside TLS; no mechanism at all
// before TLS when TLS is required (RFC 6120 section 5.3.1: the client must
// then negotiate TLS first). Strongest first (RFC 6120 section 6.3.3).
std::vector<std::string_view> offered_mechanisms(c2s_stream_state const& s);

// <stream:features> for the state: STARTTLS (with <required/> when TLS is
// required), the SASL mechanisms, or once authenticated resource binding
// and the optional legacy session (RFC 6121 / RFC 3921 section 3).
std::string format_features(c2s_stream_state const& s);

// Whether the stream may carry anything but STARTTLS yet.
inline bool is_tls_pending(c2s_stream_state const& s) {
  return s.require_tls && !s.tls_active;
}

}  // namespace posta::jabber::proto
