// Whether a directory entry may log in, from the attributes each kind of
// directory keeps: AD's userAccountControl flags (MS-ADTS 2.2.16) and
// accountExpires; OpenLDAP's ppolicy lock (pwdAccountLockedTime,
// draft-behera-ldap-password-policy 5.3.3) and the 389/Sun nsAccountLock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace posta::directory::proto {

enum class account_state { enabled, disabled, locked, expired };

struct state_attributes {
  std::optional<std::string> user_account_control{};     // AD, decimal
  std::optional<std::string> account_expires{};          // AD, FILETIME decimal
  std::optional<std::string> pwd_account_locked_time{};  // OpenLDAP ppolicy, Generalized Time
  std::optional<std::string> ns_account_lock{};          // "TRUE" / "FALSE"
};

// `now`: Unix seconds. Disabled wins over locked wins over expired: the
// administrator's decision is what the journal should name.
account_state state_of(state_attributes const& a, std::int64_t now);

std::string_view name(account_state s);

}  // namespace posta::directory::proto
