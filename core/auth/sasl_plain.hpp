// SASL PLAIN (RFC 4616 §2) message decoding, and the AUTH LOGIN exchange
// (draft-murchison-sasl-login: base64 "Username:" / "Password:" prompts) used
// by Outlook and older SMTP/IMAP clients. Pure: no I/O.
#pragma once

#include "core/util/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace posta::auth {

// SECURITY: per-field bound. RFC 4616 §2 requires accepting 255 octets; we
// accept up to the password limit of password_hash.hpp for every field.
inline constexpr std::size_t max_sasl_field_bytes = 1024;

struct plain_credentials {
  std::string authzid;  // empty: act as authcid
  std::string authcid;
  std::string password;
};

// message = [authzid] NUL authcid NUL passwd, each UTF-8 without NUL.
// Fails with errc::protocol_error on a wrong NUL count, an empty authcid or
// password, invalid UTF-8, and errc::limit_exceeded past max_sasl_field_bytes.
// The password is returned as sent (no SASLprep): it is checked against an
// argon2 hash of the bytes the user set, or by an LDAP bind.
result<plain_credentials> decode_plain(std::string_view message);

// The same from the base64 client response (strict base64, no whitespace).
result<plain_credentials> decode_plain_base64(std::string_view response);

// SASL cancel: a client response of "*" aborts the exchange (RFC 4954 §4,
// RFC 3501 §6.2.2).
inline bool is_sasl_cancel(std::string_view response) { return response == "*"; }

// The AUTH LOGIN exchange: challenge() is what to send, feed() takes the
// client's base64 line. Two steps: username, then password.
class login_exchange {
 public:
  enum class step { need_username, need_password, done };

  // base64 of "Username:" / "Password:", or "" when done.
  std::string_view challenge() const;

  // Decodes one response. An initial response ("AUTH LOGIN dXNlcg==",
  // RFC 4954 §4) is fed the same way before the first challenge is sent.
  // Fails with errc::protocol_error on bad base64, NUL, empty or invalid
  // UTF-8 values, errc::limit_exceeded past max_sasl_field_bytes.
  result<void> feed(std::string_view base64_response);

  step current() const { return step_; }
  std::string const& username() const { return username_; }
  std::string const& password() const { return password_; }

 private:
  step step_ = step::need_username;
  std::string username_;
  std::string password_;
};

}  // namespace posta::auth
