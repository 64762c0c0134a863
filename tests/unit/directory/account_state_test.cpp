// Directory time values and account states (RFC 4517 3.3.13, MS-ADTS 2.2.16).
#include "directory/proto/account_state.hpp"

#include "directory/proto/generalized_time.hpp"

#include <gtest/gtest.h>

namespace posta::directory::proto {
namespace {

TEST(GeneralizedTime, Forms) {
  EXPECT_EQ(parse_generalized_time("19700101000000Z"), 0);
  EXPECT_EQ(parse_generalized_time("20261203154323Z"), 1796312603);
  EXPECT_EQ(parse_generalized_time("20261203154323.0Z"), 1796312603);  // AD's whenChanged
  EXPECT_EQ(parse_generalized_time("202612031543Z"), 1796312580);
  EXPECT_EQ(parse_generalized_time("2026120315Z"), 1796310000);
  EXPECT_EQ(parse_generalized_time("20261203164323+0100"), 1796312603);
  EXPECT_EQ(parse_generalized_time("20261203144323-0100"), 1796312603);
  EXPECT_EQ(parse_generalized_time("20240229000000Z"), 1709164800);  // a leap day
}

TEST(GeneralizedTime, Refusals) {
  for (auto bad : {"", "2026", "20261203154323", "20261303000000Z", "20250229000000Z", "20261203246000Z",
                   "20261203154323.Z", "20261203154323+01", "20261203154323Zjunk", "2026-12-03T15:43:23Z"})
    EXPECT_EQ(parse_generalized_time(bad), std::nullopt) << bad;
}

TEST(AccountExpires, NeverAndFiletime) {
  EXPECT_EQ(parse_account_expires("0"), std::nullopt);
  EXPECT_EQ(parse_account_expires("9223372036854775807"), std::nullopt);
  EXPECT_EQ(parse_account_expires("116444736000000000"), 0);           // 1970-01-01 as a FILETIME
  EXPECT_EQ(parse_account_expires("133801632000000000"), 1735689600);  // 2025-01-01
  EXPECT_EQ(parse_account_expires("garbage"), std::nullopt);
}

constexpr std::int64_t now = 1796312603;

TEST(AccountState, ActiveDirectory) {
  EXPECT_EQ(state_of({.user_account_control = "512"}, now), account_state::enabled);
  EXPECT_EQ(state_of({.user_account_control = "514"}, now), account_state::disabled);  // samba-tool user disable
  EXPECT_EQ(state_of({.user_account_control = "528"}, now), account_state::locked);
  EXPECT_EQ(state_of({.user_account_control = "not a number"}, now), account_state::disabled);
  EXPECT_EQ(state_of({.user_account_control = "512", .account_expires = "133801632000000000"}, now),
            account_state::expired);
  EXPECT_EQ(state_of({.user_account_control = "512", .account_expires = "9223372036854775807"}, now),
            account_state::enabled);
  EXPECT_EQ(state_of({.user_account_control = "514", .account_expires = "133801632000000000"}, now),
            account_state::disabled);
}

TEST(AccountState, OpenLdap) {
  EXPECT_EQ(state_of({}, now), account_state::enabled);
  EXPECT_EQ(state_of({.pwd_account_locked_time = "20261203150000Z"}, now), account_state::locked);
  EXPECT_EQ(state_of({.pwd_account_locked_time = "000001010000Z"}, now), account_state::disabled);
  EXPECT_EQ(state_of({.ns_account_lock = "true"}, now), account_state::disabled);
  EXPECT_EQ(state_of({.ns_account_lock = "FALSE"}, now), account_state::enabled);
  EXPECT_EQ(name(account_state::locked), "locked");
}

}  // namespace
}  // namespace posta::directory::proto
