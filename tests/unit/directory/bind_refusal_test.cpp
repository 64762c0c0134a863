// Active Directory's bind diagnostics (MS-ADTS 3.1.1.3.4.1.2).
#include "directory/proto/bind_refusal.hpp"

#include <gtest/gtest.h>

namespace posta::directory::proto {
namespace {

std::string ad(std::string_view code) {
  return "80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data " + std::string(code) +
         ", v4563";
}

TEST(BindRefusal, EachListedCode) {
  EXPECT_EQ(parse_ad_diagnostic(ad("52e")), bind_refusal::wrong_password);
  EXPECT_EQ(parse_ad_diagnostic(ad("525")), bind_refusal::no_such_user);
  EXPECT_EQ(parse_ad_diagnostic(ad("530")), bind_refusal::outside_logon_hours);
  EXPECT_EQ(parse_ad_diagnostic(ad("531")), bind_refusal::workstation_not_allowed);
  EXPECT_EQ(parse_ad_diagnostic(ad("532")), bind_refusal::password_expired);
  EXPECT_EQ(parse_ad_diagnostic(ad("533")), bind_refusal::disabled);
  EXPECT_EQ(parse_ad_diagnostic(ad("701")), bind_refusal::account_expired);
  EXPECT_EQ(parse_ad_diagnostic(ad("773")), bind_refusal::must_change_password);
  EXPECT_EQ(parse_ad_diagnostic(ad("775")), bind_refusal::locked);
  EXPECT_EQ(parse_ad_diagnostic(ad("52E")), bind_refusal::wrong_password);
}

TEST(BindRefusal, NothingBelievedThatIsNotListed) {
  EXPECT_EQ(parse_ad_diagnostic(""), std::nullopt);
  EXPECT_EQ(parse_ad_diagnostic("Invalid credentials"), std::nullopt);  // OpenLDAP
  EXPECT_EQ(parse_ad_diagnostic(ad("52e0")), std::nullopt);             // a longer code is another code
  EXPECT_EQ(parse_ad_diagnostic(ad("0")), std::nullopt);
  EXPECT_EQ(parse_ad_diagnostic("data "), std::nullopt);
  // A second "data" field after an unlisted first one.
  EXPECT_EQ(parse_ad_diagnostic("data 1, data 533"), bind_refusal::disabled);
}

TEST(BindRefusal, CredentialFailuresAreThrottledOthersAreStates) {
  EXPECT_TRUE(is_credential_failure(bind_refusal::wrong_password));
  EXPECT_TRUE(is_credential_failure(bind_refusal::no_such_user));
  EXPECT_FALSE(is_credential_failure(bind_refusal::disabled));
  EXPECT_FALSE(is_credential_failure(bind_refusal::locked));
  EXPECT_EQ(describe(bind_refusal::password_expired), "password expired");
}

TEST(BindRefusal, OnlyExpiredAndMustChangeAskForANewPassword) {
  EXPECT_TRUE(is_password_change_needed(bind_refusal::password_expired));      // 532
  EXPECT_TRUE(is_password_change_needed(bind_refusal::must_change_password));  // 773
  for (auto r : {bind_refusal::wrong_password, bind_refusal::no_such_user, bind_refusal::disabled,
                 bind_refusal::locked, bind_refusal::account_expired, bind_refusal::outside_logon_hours})
    EXPECT_FALSE(is_password_change_needed(r));
  EXPECT_FALSE(is_credential_failure(bind_refusal::password_expired));
}

}  // namespace
}  // namespace posta::directory::proto
