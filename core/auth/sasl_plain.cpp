// SASL PLAIN (RFC 4616 §2) and AUTH LOGIN decoding.
#include "core/auth/sasl_plain.hpp"

#include "core/util/base64.hpp"

namespace posta::auth {
namespace {

// The length of a UTF-8 sequence by its lead byte, and the range allowed for
// its second byte (RFC 3629 §4: no overlongs, surrogates or values past
// U+10FFFF); len 0 for a byte that cannot lead.
struct utf8_lead {
  std::size_t len;
  unsigned char lo, hi;
};

utf8_lead classify(unsigned char b) {
  if (b < 0x80) return {1, 0, 0};
  if (b >= 0xc2 && b <= 0xdf) return {2, 0x80, 0xbf};
  if (b == 0xe0) return {3, 0xa0, 0xbf};
  if (b == 0xed) return {3, 0x80, 0x9f};
  if (b >= 0xe1 && b <= 0xef) return {3, 0x80, 0xbf};
  if (b == 0xf0) return {4, 0x90, 0xbf};
  if (b >= 0xf1 && b <= 0xf3) return {4, 0x80, 0xbf};
  if (b == 0xf4) return {4, 0x80, 0x8f};
  return {0, 0, 0};
}

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    utf8_lead const lead = classify(static_cast<unsigned char>(s[i]));
    if (lead.len == 0 || i + lead.len > s.size()) return false;
    for (std::size_t k = 1; k < lead.len; ++k) {
      auto const c = static_cast<unsigned char>(s[i + k]);
      if (c < (k == 1 ? lead.lo : 0x80) || c > (k == 1 ? lead.hi : 0xbf)) return false;
    }
    i += lead.len;
  }
  return true;
}

result<void> check_field(std::string_view value, std::string_view what, bool may_be_empty) {
  if (value.size() > max_sasl_field_bytes) {
    return make_error(errc::limit_exceeded, std::string(what) + " longer than " + std::to_string(max_sasl_field_bytes) + " bytes");
  }
  if (value.empty() && !may_be_empty) return make_error(errc::protocol_error, "empty " + std::string(what));
  if (value.find('\0') != std::string_view::npos || !is_valid_utf8(value)) {
    return make_error(errc::protocol_error, std::string(what) + " is not UTF-8 text");
  }
  return {};
}

}  // namespace

result<plain_credentials> decode_plain(std::string_view message) {
  std::size_t const nul1 = message.find('\0');
  std::size_t const nul2 = nul1 == std::string_view::npos ? nul1 : message.find('\0', nul1 + 1);
  if (nul2 == std::string_view::npos) return make_error(errc::protocol_error, "PLAIN: expected two NUL separators");
  plain_credentials out;
  std::string_view const authzid = message.substr(0, nul1);
  std::string_view const authcid = message.substr(nul1 + 1, nul2 - nul1 - 1);
  std::string_view const password = message.substr(nul2 + 1);  // a third NUL is caught below
  POSTA_TRY(check_field(authzid, "PLAIN authzid", true));
  POSTA_TRY(check_field(authcid, "PLAIN authcid", false));
  POSTA_TRY(check_field(password, "PLAIN password", false));
  out.authzid = authzid;
  out.authcid = authcid;
  out.password = password;
  return out;
}

result<plain_credentials> decode_plain_base64(std::string_view response) {
  // SECURITY: three fields, base64 expands by 4/3; refuse before decoding.
  if (response.size() > (3 * max_sasl_field_bytes + 2) / 3 * 4 + 4) {
    return make_error(errc::limit_exceeded, "PLAIN: response too long");
  }
  auto decoded = util::base64_decode(response);
  if (!decoded) return make_error(errc::protocol_error, "PLAIN: bad base64");
  return decode_plain(*decoded);
}

std::string_view login_exchange::challenge() const {
  switch (step_) {
    case step::need_username: return "VXNlcm5hbWU6";  // "Username:"
    case step::need_password: return "UGFzc3dvcmQ6";  // "Password:"
    case step::done: break;
  }
  return "";
}

result<void> login_exchange::feed(std::string_view base64_response) {
  if (step_ == step::done) return make_error(errc::protocol_error, "LOGIN: exchange already complete");
  if (base64_response.size() > (max_sasl_field_bytes + 2) / 3 * 4) {
    return make_error(errc::limit_exceeded, "LOGIN: response too long");
  }
  auto decoded = util::base64_decode(base64_response);
  if (!decoded) return make_error(errc::protocol_error, "LOGIN: bad base64");
  bool const is_user = step_ == step::need_username;
  POSTA_TRY(check_field(*decoded, is_user ? "LOGIN username" : "LOGIN password", false));
  (is_user ? username_ : password_) = std::move(*decoded);
  step_ = is_user ? step::need_password : step::done;
  return {};
}

}  // namespace posta::auth
