// Directory account states: see account_state.hpp.
#include "directory/proto/account_state.hpp"

#include "core/util/ascii.hpp"
#include "directory/proto/generalized_time.hpp"

namespace posta::directory::proto {
namespace {

// MS-ADTS 2.2.16 userAccountControl bits.
constexpr std::int64_t uac_account_disable = 0x0002;
constexpr std::int64_t uac_lockout = 0x0010;

// ppolicy: this value means "locked until an administrator unlocks it".
constexpr std::string_view permanent_lock = "000001010000Z";

}  // namespace

account_state state_of(state_attributes const& a, std::int64_t now) {
  if (a.user_account_control) {
    // SECURITY: a value we cannot read is treated as disabled, not enabled.
    auto uac = parse_integer(*a.user_account_control);
    if (!uac || (*uac & uac_account_disable)) return account_state::disabled;
    if (*uac & uac_lockout) return account_state::locked;
  }
  if (a.ns_account_lock && util::ascii_iequals(*a.ns_account_lock, "TRUE")) return account_state::disabled;
  if (a.pwd_account_locked_time) {
    // A lock with a lockout duration expires, but only the directory knows
    // the policy's duration: the bind tells. Here any lock counts.
    if (*a.pwd_account_locked_time == permanent_lock) return account_state::disabled;
    return account_state::locked;
  }
  if (a.account_expires) {
    auto at = parse_account_expires(*a.account_expires);
    if (at && *at <= now) return account_state::expired;
  }
  return account_state::enabled;
}

std::string_view name(account_state s) {
  switch (s) {
    case account_state::enabled:
      return "enabled";
    case account_state::disabled:
      return "disabled";
    case account_state::locked:
      return "locked";
    case account_state::expired:
      return "expired";
  }
  return "disabled";
}

}  // namespace posta::directory::proto
