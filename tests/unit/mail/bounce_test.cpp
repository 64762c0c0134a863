// Failure notices after acceptance: only for authenticated senders, headers
// only whatever RET asked, NOTIFY honoured, an inline body named by its hash.
#include "mail/delivery/bounce.hpp"

#include "core/blob/blob_store.hpp"

#include <gtest/gtest.h>

namespace posta::mail::delivery {
namespace {

constexpr std::string_view headers =
    "From: Ann <ann@example.test>\r\n"
    "To: full@example.test, bob@example.test\r\n"
    "Subject: Quarterly report\r\n";

request submitted() {
  request r;
  r.sender = "ann@example.test";
  r.sender_authenticated = true;
  r.original_headers = std::string(headers);
  r.reporting_mta = "mx.example.test";
  r.ret = "FULL";
  r.recipients = {{"full@example.test", std::nullopt, std::nullopt}, {"bob@example.test", std::nullopt, std::nullopt}};
  return r;
}

std::vector<failed_recipient> full() { return {{"full@example.test", "5.2.2", "552 5.2.2 Mailbox full"}}; }

TEST(failure_notice, GoesBackToTheAuthenticatedSenderWithTheHeadersOnly) {
  auto notice = failure_notice(submitted(), full());
  ASSERT_TRUE(notice.has_value());
  ASSERT_EQ(notice->recipients.size(), 1u);
  EXPECT_EQ(notice->recipients[0].address, "ann@example.test");
  EXPECT_EQ(notice->recipients[0].notify, "NEVER");
  EXPECT_EQ(notice->sender, "");
  ASSERT_TRUE(notice->blob.is_inline());
  auto const& text = *notice->blob.inline_body;
  EXPECT_EQ(notice->blob.hash, blob::sha256_hex(text));
  EXPECT_EQ(notice->blob.size, static_cast<std::int64_t>(text.size()));
  EXPECT_NE(text.find("Subject: Quarterly report"), std::string::npos);
  EXPECT_NE(text.find("Final-Recipient: rfc822; full@example.test"), std::string::npos);
  EXPECT_NE(text.find("Status: 5.2.2"), std::string::npos);
  EXPECT_EQ(text.find("rfc822; bob@example.test"), std::string::npos);
  EXPECT_FALSE(notice->structure_json.empty());
}

TEST(failure_notice, NoneForAnUnauthenticatedSender) {
  auto r = submitted();
  r.sender_authenticated = false;
  EXPECT_FALSE(failure_notice(r, full()).has_value());
}

TEST(failure_notice, NoneForTheNullSender) {
  auto r = submitted();
  r.sender = "";
  EXPECT_FALSE(failure_notice(r, full()).has_value());
}

TEST(failure_notice, NoneWhenNotifyExcludesFailures) {
  auto r = submitted();
  r.recipients[0].notify = "NEVER";
  EXPECT_FALSE(failure_notice(r, full()).has_value());
  r.recipients[0].notify = "SUCCESS,DELAY";
  EXPECT_FALSE(failure_notice(r, full()).has_value());
}

TEST(failure_notice, NoneWithoutFailures) { EXPECT_FALSE(failure_notice(submitted(), {}).has_value()); }

}  // namespace
}  // namespace posta::mail::delivery
