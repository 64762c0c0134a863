// Client command formatting. RFC 5321 4.1.1, 4.1.2; RFC 1870, 6152, 6531,
// 3461, 3030, 4954.
#include "mail/smtp/client/proto/commands.hpp"

#include "mail/smtp/proto/address.hpp"
#include "mail/smtp/proto/grammar.hpp"
#include "mail/smtp/proto/xtext.hpp"

#include <algorithm>

namespace posta::mail::smtp::client::proto {
namespace {

namespace sp = smtp::proto;

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// RFC 3461 4.2 addr-type = atom; in practice "rfc822" or "utf-8".
bool is_addr_type(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return sp::grammar::is_let_dig(c) || c == '-'; });
}

std::string notify_value(sp::dsn_notify const& n) {
  if (n.never) return "NEVER";
  std::string out;
  auto add = [&](bool on, std::string_view word) {
    if (!on) return;
    if (!out.empty()) out += ',';
    out += word;
  };
  add(n.success, "SUCCESS");
  add(n.failure, "FAILURE");
  add(n.delay, "DELAY");
  return out;
}

void append_dsn_mail(std::string& line, mail_params const& wanted) {
  if (wanted.ret) line += *wanted.ret == sp::dsn_return::full ? " RET=FULL" : " RET=HDRS";
  if (wanted.envid) line += " ENVID=" + sp::xtext_encode(*wanted.envid);
}

}  // namespace

std::string ehlo_command(std::string_view name) { return "EHLO " + std::string(name) + "\r\n"; }
std::string helo_command(std::string_view name) { return "HELO " + std::string(name) + "\r\n"; }

std::string auth_plain_command(std::string_view base64_response) {
  // RFC 4954 4: an empty initial response is sent as "=".
  return "AUTH PLAIN " + (base64_response.empty() ? std::string("=") : std::string(base64_response)) + "\r\n";
}

std::string mail_command(path const& sender, mail_params const& wanted, capabilities const& peer) {
  std::string line = "MAIL FROM:" + sp::to_string(sender);
  if (wanted.size && peer.size) line += " SIZE=" + std::to_string(*wanted.size);
  if (wanted.body == sp::body_type::eight_bit_mime && peer.eight_bit_mime) line += " BODY=8BITMIME";
  if (wanted.smtputf8 && peer.smtputf8) line += " SMTPUTF8";
  if (peer.dsn) append_dsn_mail(line, wanted);
  if (wanted.auth && !peer.auth_mechanisms.empty()) line += " AUTH=" + sp::xtext_encode(*wanted.auth);
  return line + "\r\n";
}

std::string rcpt_command(path const& recipient, rcpt_params const& wanted, capabilities const& peer) {
  std::string line = "RCPT TO:" + sp::to_string(recipient);
  if (peer.dsn && wanted.notify) line += " NOTIFY=" + notify_value(*wanted.notify);
  if (peer.dsn && wanted.orcpt && is_ascii(wanted.orcpt->address) && is_addr_type(wanted.orcpt->address_type))
    line += " ORCPT=" + wanted.orcpt->address_type + ";" + sp::xtext_encode(wanted.orcpt->address);
  return line + "\r\n";
}

std::string bdat_command(std::uint64_t size, bool last) {
  return "BDAT " + std::to_string(size) + (last ? " LAST\r\n" : "\r\n");
}

}  // namespace posta::mail::smtp::client::proto
