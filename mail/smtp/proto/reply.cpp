// SMTP reply formatting and the named replies. RFC 5321 4.2, RFC 2034, RFC 3463.
#include "mail/smtp/proto/reply.hpp"

#include <stdexcept>

namespace posta::mail::smtp::proto {
namespace {

// SECURITY: a reply text may carry client input (an EHLO name, an address);
// controls would let it end the line early or forge another reply line.
void append_text(std::string& out, std::string_view text) {
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    out.push_back((u < 0x20 && c != '\t') || u == 0x7f ? '?' : c);
  }
}

void append_line(std::string& out, reply const& r, std::string_view text, bool last,
                 bool with_enhanced) {
  bool has_enhanced = with_enhanced && !r.enhanced.empty();
  out += std::to_string(r.code);
  // Reply-code [ SP textstring ] CRLF; but a SASL challenge is always
  // "334" SP [base64] (RFC 4954 4), and clients parse the space.
  if (last && !has_enhanced && text.empty() && r.code != 334) {
    out += "\r\n";
    return;
  }
  out.push_back(last ? ' ' : '-');
  if (has_enhanced) out += r.enhanced;
  if (has_enhanced && !text.empty()) out.push_back(' ');
  append_text(out, text);
  out += "\r\n";
}

}  // namespace

void throw_exception_from_error(reply const& r, boost::source_location const&) {
  throw std::logic_error("reply_or holds reply " + std::to_string(r.code));
}

std::string format(reply const& r, bool with_enhanced) {
  std::string out;
  if (r.lines.empty()) {
    append_line(out, r, {}, true, with_enhanced);
    return out;
  }
  for (std::size_t i = 0; i < r.lines.size(); ++i)
    append_line(out, r, r.lines[i], i + 1 == r.lines.size(), with_enhanced);
  return out;
}

reply make_reply(int code, std::string_view enhanced, std::string_view text) {
  return reply{code, std::string(enhanced), {std::string(text)}};
}

reply ehlo_reply(std::string_view server_name, capabilities const& caps) {
  reply r{250, {}, {std::string(server_name)}};
  auto add = [&](bool on, std::string keyword) {
    if (on) r.lines.push_back(std::move(keyword));
  };
  add(caps.pipelining, "PIPELINING");
  if (caps.size) r.lines.push_back("SIZE " + std::to_string(*caps.size));
  add(caps.eight_bit_mime, "8BITMIME");
  add(caps.smtputf8, "SMTPUTF8");
  add(caps.enhanced_status_codes, "ENHANCEDSTATUSCODES");
  add(caps.starttls, "STARTTLS");
  if (!caps.auth_mechanisms.empty()) {
    std::string line = "AUTH";
    for (auto const& m : caps.auth_mechanisms) line += " " + m;
    r.lines.push_back(std::move(line));
  }
  add(caps.chunking, "CHUNKING");
  add(caps.dsn, "DSN");
  add(caps.help, "HELP");
  return r;
}

namespace replies {

reply greeting(std::string_view server_name) {
  return reply{220, {}, {std::string(server_name) + " ESMTP Posta"}};
}
reply closing(std::string_view server_name) {
  return make_reply(221, "2.0.0", std::string(server_name) + " closing connection");
}
reply helo_ok(std::string_view server_name) { return reply{250, {}, {std::string(server_name)}}; }
reply ok() { return make_reply(250, "2.0.0", "Ok"); }
reply sender_ok() { return make_reply(250, "2.1.0", "Sender ok"); }
reply recipient_ok() { return make_reply(250, "2.1.5", "Recipient ok"); }
reply message_queued(std::string_view queue_id) {
  return make_reply(250, "2.0.0", "Ok: queued as " + std::string(queue_id));
}
reply chunk_received(std::uint64_t octets) {
  return make_reply(250, "2.0.0", std::to_string(octets) + " octets received");
}
reply help() {
  return reply{214, "2.0.0",
               {"Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT HELP VRFY STARTTLS AUTH",
                "See RFC 5321"}};
}
reply vrfy_cannot_verify() {
  return make_reply(252, "2.0.0", "Cannot VRFY user, but will accept message and attempt delivery");
}
reply start_mail_input() { return reply{354, {}, {"End data with <CR><LF>.<CR><LF>"}}; }
reply ready_to_start_tls() { return make_reply(220, "2.0.0", "Ready to start TLS"); }
reply auth_challenge(std::string_view base64) { return reply{334, {}, {std::string(base64)}}; }
reply auth_succeeded() { return make_reply(235, "2.7.0", "Authentication successful"); }
reply auth_cancelled() { return make_reply(501, "5.0.0", "Authentication cancelled"); }
reply auth_failed() { return make_reply(535, "5.7.8", "Authentication credentials invalid"); }
reply auth_mechanism_unknown() { return make_reply(504, "5.5.4", "Unrecognized authentication type"); }
reply auth_needs_encryption() {
  return make_reply(538, "5.7.11", "Encryption required for requested authentication mechanism");
}
reply auth_required() { return make_reply(530, "5.7.0", "Authentication required"); }
reply tls_required() { return make_reply(530, "5.7.0", "Must issue a STARTTLS command first"); }
reply too_many_errors(std::string_view server_name) {
  return make_reply(421, "4.7.0", std::string(server_name) + " Too many errors, closing connection");
}
reply too_many_recipients() { return make_reply(452, "4.5.3", "Too many recipients"); }
reply local_error() { return make_reply(451, "4.3.0", "Local error in processing"); }
reply unknown_command() { return make_reply(500, "5.5.1", "Command unrecognized"); }
reply empty_command() { return make_reply(500, "5.5.2", "Empty command"); }
reply line_too_long() { return make_reply(500, "5.5.2", "Line too long"); }
reply nul_in_command() { return make_reply(500, "5.5.2", "NUL character in command"); }
reply syntax_error(std::string_view text) { return make_reply(501, "5.5.2", text); }
reply bad_arguments(std::string_view text) { return make_reply(501, "5.5.4", text); }
reply not_implemented(std::string_view text) { return make_reply(502, "5.5.1", text); }
reply bad_sequence(std::string_view text) { return make_reply(503, "5.5.1", text); }
reply no_valid_recipients() { return make_reply(554, "5.5.1", "No valid recipients"); }
reply bad_parameter(std::string_view text) { return make_reply(555, "5.5.4", text); }
reply message_too_big() {
  return make_reply(552, "5.3.4", "Message size exceeds fixed maximum message size");
}
reply non_ascii_address() {
  return make_reply(553, "5.6.7", "Non-ASCII addresses require SMTPUTF8");
}

}  // namespace replies
}  // namespace posta::mail::smtp::proto
