// The command lines the SMTP client sends, each with its CRLF. MAIL and RCPT
// carry an extension's parameters only when the peer's EHLO offered it:
// RFC 1870 (SIZE), RFC 6152 (BODY=8BITMIME), RFC 6531 3.4 (SMTPUTF8),
// RFC 3461 4.1-4.4 (NOTIFY, ORCPT, RET, ENVID, values in xtext),
// RFC 3030 2 (BDAT), RFC 5321 4.1.1 (the rest).
#pragma once

#include "mail/smtp/proto/command.hpp"
#include "mail/smtp/proto/reply.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace posta::mail::smtp::client::proto {

using smtp::proto::capabilities;
using smtp::proto::mail_params;
using smtp::proto::path;
using smtp::proto::rcpt_params;

inline constexpr std::string_view data_command = "DATA\r\n";
inline constexpr std::string_view rset_command = "RSET\r\n";
inline constexpr std::string_view quit_command = "QUIT\r\n";
inline constexpr std::string_view starttls_command = "STARTTLS\r\n";
inline constexpr std::string_view noop_command = "NOOP\r\n";

// `name` is our host name or address literal, as the caller checked it.
std::string ehlo_command(std::string_view name);
std::string helo_command(std::string_view name);

// AUTH PLAIN with its initial response (RFC 4954 4, RFC 4616), base64 already.
std::string auth_plain_command(std::string_view base64_response);

// `wanted` is what the message asks for; what the peer lacks is left out
// (the caller decides beforehand whether a message can go without it:
// SMTPUTF8, see header_encoding.hpp). BINARYMIME is never sent. An ORCPT
// whose address is not ASCII is left out (RFC 6533's utf-8 form is not
// produced). AUTH= is sent only to a peer that offers AUTH.
std::string mail_command(path const& sender, mail_params const& wanted, capabilities const& peer);
std::string rcpt_command(path const& recipient, rcpt_params const& wanted, capabilities const& peer);

// "BDAT <size>[ LAST]\r\n"; the chunk's octets follow it verbatim.
std::string bdat_command(std::uint64_t size, bool last);

}  // namespace posta::mail::smtp::client::proto
