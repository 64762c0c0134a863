// Stream headers and feature lists of c2s streams (RFC 6120 sections 4.7, 5.4.1, 6.4.1, 7.2).
#include "jabber/proto/c2s_features.hpp"

#include "jabber/proto/namespaces.hpp"
#include "jabber/proto/xml_escape.hpp"

namespace posta::jabber::proto {

std::string format_stream_header(std::string_view from_domain, std::string_view id,
                                 std::string_view content_namespace) {
  std::string out = "<?xml version='1.0'?><stream:stream xmlns='";
  append_escaped(out, content_namespace);
  out += "' xmlns:stream='";
  out += ns::stream;
  out += "' id='";
  append_escaped(out, id);
  out += "' from='";
  append_escaped(out, from_domain);
  out += "' version='1.0' xml:lang='en'>";
  return out;
}

std::vector<std::string_view> offered_mechanisms(c2s_stream_state const& s) {
  if (s.authenticated || is_tls_pending(s)) return {};
  std::vector<std::string_view> out = {"SCRAM-SHA-256", "SCRAM-SHA-1"};
  if (s.tls_active) out.push_back("PLAIN");
  return out;
}

namespace {

void append_starttls(std::string& out, c2s_stream_state const& s) {
  if (s.tls_active || !s.tls_available || s.authenticated) return;
  out += "<starttls xmlns='";
  out += ns::tls;
  out += s.require_tls ? "'><required/></starttls>" : "'/>";
}

void append_mechanisms(std::string& out, c2s_stream_state const& s) {
  auto const mechanisms = offered_mechanisms(s);
  if (mechanisms.empty()) return;
  out += "<mechanisms xmlns='";
  out += ns::sasl;
  out += "'>";
  for (auto m : mechanisms) {
    out += "<mechanism>";
    out += m;
    out += "</mechanism>";
  }
  out += "</mechanisms>";
}

}  // namespace

std::string format_features(c2s_stream_state const& s) {
  std::string out = "<stream:features>";
  append_starttls(out, s);
  append_mechanisms(out, s);
  if (s.authenticated) {
    out += "<bind xmlns='";
    out += ns::bind;
    out += "'/><session xmlns='";
    out += ns::session;
    out += "'><optional/></session>";  // RFC 3921bis: old clients may skip it
    out += "<ver xmlns='";             // RFC 6121 2.6.1: roster versioning
    out += ns::roster_ver;
    out += "'/><sub xmlns='";  // RFC 6121 3.4.1: subscription pre-approval
    out += ns::pre_approval;
    out += "'/><sm xmlns='";  // XEP-0198 2: offered after authentication
    out += ns::sm;
    out += "'/><csi xmlns='";  // XEP-0352 3
    out += ns::csi;
    out += "'/>";
    out += s.caps;  // XEP-0115 6.3: the server's capabilities, so a client need not ask
  }
  out += "</stream:features>";
  return out;
}

}  // namespace posta::jabber::proto
