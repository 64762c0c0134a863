// Why a directory refused a user's bind, from Active Directory's diagnostic
// message ("80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext
// error, data 52e, v4563"): the "data" field is a Windows error code
// (MS-ADTS 3.1.1.3.4.1.2 names the ones an LDAP bind reports).
#pragma once

#include <optional>
#include <string_view>

namespace posta::directory::proto {

enum class bind_refusal {
  wrong_password,           // 52e, and any invalidCredentials without a code
  no_such_user,             // 525
  outside_logon_hours,      // 530
  workstation_not_allowed,  // 531
  password_expired,         // 532
  disabled,                 // 533
  account_expired,          // 701
  must_change_password,     // 773
  locked,                   // 775
};

// The refusal named by an AD diagnostic message, or nullopt when it names
// none (OpenLDAP, or a code not listed above).
std::optional<bind_refusal> parse_ad_diagnostic(std::string_view message);

// A refusal of the password itself, which failed-login throttling counts
// (wrong password, unknown user); the others are states of the account an
// administrator must change, told to the user as such.
bool is_credential_failure(bind_refusal r);

// The password was right but must be changed before it logs in again
// (expired, or "must change at next logon"): told to the user as such.
bool is_password_change_needed(bind_refusal r);

std::string_view describe(bind_refusal r);

}  // namespace posta::directory::proto
