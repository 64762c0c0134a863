// AD bind diagnostics (MS-ADTS 3.1.1.3.4.1.2): see bind_refusal.hpp.
#include "directory/proto/bind_refusal.hpp"

#include "core/util/ascii.hpp"

#include <array>
#include <utility>

namespace posta::directory::proto {
namespace {

constexpr std::array<std::pair<std::string_view, bind_refusal>, 9> codes{{
    {"52e", bind_refusal::wrong_password},
    {"525", bind_refusal::no_such_user},
    {"530", bind_refusal::outside_logon_hours},
    {"531", bind_refusal::workstation_not_allowed},
    {"532", bind_refusal::password_expired},
    {"533", bind_refusal::disabled},
    {"701", bind_refusal::account_expired},
    {"773", bind_refusal::must_change_password},
    {"775", bind_refusal::locked},
}};

bool is_hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

std::optional<bind_refusal> parse_ad_diagnostic(std::string_view message) {
  // SECURITY: the message comes from the network; only its "data XXX" token
  // is read, and only a listed code is believed.
  constexpr std::string_view marker = "data ";
  for (auto at = message.find(marker); at != std::string_view::npos; at = message.find(marker, at + 1)) {
    auto code = message.substr(at + marker.size());
    std::size_t n = 0;
    while (n < code.size() && n < 8 && is_hex_digit(code[n])) ++n;
    code = code.substr(0, n);
    for (auto const& [text, refusal] : codes)
      if (util::ascii_iequals(code, text)) return refusal;
  }
  return std::nullopt;
}

bool is_credential_failure(bind_refusal r) {
  return r == bind_refusal::wrong_password || r == bind_refusal::no_such_user;
}

bool is_password_change_needed(bind_refusal r) {
  return r == bind_refusal::password_expired || r == bind_refusal::must_change_password;
}

std::string_view describe(bind_refusal r) {
  switch (r) {
    case bind_refusal::wrong_password:
      return "wrong password";
    case bind_refusal::no_such_user:
      return "no such user";
    case bind_refusal::outside_logon_hours:
      return "outside the account's logon hours";
    case bind_refusal::workstation_not_allowed:
      return "not allowed from this workstation";
    case bind_refusal::password_expired:
      return "password expired";
    case bind_refusal::disabled:
      return "account disabled";
    case bind_refusal::account_expired:
      return "account expired";
    case bind_refusal::must_change_password:
      return "password must be changed";
    case bind_refusal::locked:
      return "account locked out";
  }
  return "refused";
}

}  // namespace posta::directory::proto
