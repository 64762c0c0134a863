// SMTP replies: the typed value, its wire format and the replies Posta sends.
// RFC 5321 4.2 (reply codes, multiline), RFC 2034 / RFC 3463 (enhanced status
// codes), RFC 5321 4.1.1.1 + the extension RFCs (EHLO keywords).
#pragma once

#include <boost/system/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace posta::mail::smtp::proto {

struct reply {
  int code = 0;              // 3 digits, 200..599
  std::string enhanced;      // "x.y.z", empty for replies that carry none (220, 334, 354, EHLO)
  std::vector<std::string> lines;  // text of each line; an empty vector sends the code alone

  bool is_positive() const noexcept { return code >= 200 && code < 400; }
  bool is_transient() const noexcept { return code >= 400 && code < 500; }
  bool is_permanent() const noexcept { return code >= 500; }
  bool is_error() const noexcept { return code >= 400; }
  friend bool operator==(reply const&, reply const&) = default;
};

// A parse or sequencing outcome: either the typed value or the reply that
// refuses it. Protocol outcomes are replies, not posta::error.
template <class T>
using reply_or = boost::system::result<T, reply>;

// Called by reply_or<T>::value() on a reply: that is a bug in the caller.
[[noreturn]] void throw_exception_from_error(reply const& r, boost::source_location const& loc);

// Wire form: "250-2.1.0 text\r\n ... 250 2.1.0 text\r\n". The enhanced code
// goes on every line (RFC 2034 3) when `with_enhanced` (the session turns it
// off only if it decides not to use ENHANCEDSTATUSCODES at all).
// SECURITY: CR, LF and other controls in the text (which may echo client
// input) are replaced so a reply can never inject a line of its own.
std::string format(reply const& r, bool with_enhanced = true);

reply make_reply(int code, std::string_view enhanced, std::string_view text);

// What the EHLO reply advertises (RFC 5321 4.1.1.1). BINARYMIME is never
// offered: bodies are stored as received and relayed to peers that may lack it.
struct capabilities {
  bool pipelining = true;                 // RFC 2920
  std::optional<std::uint64_t> size;      // RFC 1870: "SIZE n"; nullopt = not advertised
  bool eight_bit_mime = true;             // RFC 6152
  bool smtputf8 = true;                   // RFC 6531
  bool enhanced_status_codes = true;      // RFC 2034
  bool starttls = false;                  // RFC 3207: only when TLS is possible and not active
  std::vector<std::string> auth_mechanisms;  // RFC 4954: empty = AUTH not offered now
  bool chunking = true;                   // RFC 3030
  bool dsn = true;                        // RFC 3461
  bool help = true;                       // RFC 5321 4.1.1.8
  friend bool operator==(capabilities const&, capabilities const&) = default;
};

reply ehlo_reply(std::string_view server_name, capabilities const& caps);

// The replies Posta sends, in one place so texts and codes stay consistent.
namespace replies {
reply greeting(std::string_view server_name);            // 220
reply closing(std::string_view server_name);             // 221 2.0.0
reply helo_ok(std::string_view server_name);             // 250 (no enhanced code: RFC 2034 3)
reply ok();                                              // 250 2.0.0
reply sender_ok();                                       // 250 2.1.0
reply recipient_ok();                                    // 250 2.1.5
reply message_queued(std::string_view queue_id);         // 250 2.0.0
reply chunk_received(std::uint64_t octets);              // 250 2.0.0
reply help();                                            // 214 2.0.0
reply vrfy_cannot_verify();                              // 252 2.0.0
reply start_mail_input();                                // 354
reply ready_to_start_tls();                              // 220 2.0.0
reply auth_challenge(std::string_view base64);           // 334
reply auth_succeeded();                                  // 235 2.7.0
reply auth_cancelled();                                  // 501 5.0.0
reply auth_failed();                                     // 535 5.7.8
reply auth_mechanism_unknown();                          // 504 5.5.4
reply auth_needs_encryption();                           // 538 5.7.11
reply auth_required();                                   // 530 5.7.0
reply tls_required();                                    // 530 5.7.0
reply too_many_errors(std::string_view server_name);     // 421 4.7.0
reply too_many_recipients();                             // 452 4.5.3
reply local_error();                                     // 451 4.3.0
reply unknown_command();                                 // 500 5.5.1
reply empty_command();                                   // 500 5.5.2
reply line_too_long();                                   // 500 5.5.2 (RFC 5321 4.2.2: "command line too long")
reply nul_in_command();                                  // 500 5.5.2
reply syntax_error(std::string_view text);               // 501 5.5.2
reply bad_arguments(std::string_view text);              // 501 5.5.4
reply not_implemented(std::string_view text);            // 502 5.5.1
reply bad_sequence(std::string_view text);               // 503 5.5.1
reply no_valid_recipients();                             // 554 5.5.1
reply bad_parameter(std::string_view text);              // 555 5.5.4
reply message_too_big();                                 // 552 5.3.4
reply non_ascii_address();                               // 553 5.6.7
}  // namespace replies

}  // namespace posta::mail::smtp::proto
