// Received: header formatting. Values that come from the client (HELO name)
// are cleaned of characters that could break the header.
#include "mail/smtp/proto/received.hpp"

namespace posta::mail::smtp::proto {
namespace {

// SECURITY: the HELO argument is client data; keep it to printable ASCII
// without parentheses, so it cannot inject header lines or comments.
std::string clean(std::string const& s) {
  std::string out;
  for (unsigned char c : s.substr(0, 255))
    out += (c > 0x20 && c < 0x7f && c != '(' && c != ')' && c != ';') ? static_cast<char>(c) : '_';
  return out.empty() ? "unknown" : out;
}

}  // namespace

std::string with_protocol(received_fields const& f) {
  if (!f.esmtp) return "SMTP";
  std::string p = f.utf8 ? "UTF8SMTP" : "ESMTP";
  if (f.tls) p += "S";
  if (f.authenticated) p += "A";
  return p;
}

std::string format_received(received_fields const& f) {
  std::string out = "Received: from " + clean(f.helo) + " ([" + f.client_ip + "])\r\n";
  out += "\tby " + f.server_name + " (Posta) with " + with_protocol(f);
  if (f.tls && !f.tls_description.empty()) out += " (" + f.tls_description + ")";
  out += "\r\n";
  if (f.authenticated && !f.authenticated_user.empty())
    out += "\t(authenticated as " + clean(f.authenticated_user) + ")\r\n";
  out += "\tid " + f.id;
  if (!f.single_recipient.empty()) out += "\r\n\tfor <" + f.single_recipient + ">";
  out += "; " + f.date + "\r\n";
  return out;
}

}  // namespace posta::mail::smtp::proto
