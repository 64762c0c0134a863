// JID validation on top of gloox::JID (RFC 7622 sections 3.1-3.4): what is
// accepted and its prepared form, what is refused and why.
#include "jabber/xml/jid.hpp"

#include <gtest/gtest.h>

#include <string>

namespace posta::jabber::xml {
namespace {

struct accepted {
  std::string input;
  std::string full;
};

class Accepted : public ::testing::TestWithParam<accepted> {};

TEST_P(Accepted, PreparedForm) {
  auto jid = parse_jid(GetParam().input);
  ASSERT_TRUE(jid) << jid.error().message();
  EXPECT_EQ(jid->full(), GetParam().full);
}

INSTANTIATE_TEST_SUITE_P(
    Jid, Accepted,
    ::testing::Values(accepted{"example.com", "example.com"}, accepted{"User@Example.COM/Res", "user@example.com/Res"},
                      accepted{"juliet@example.com.", "juliet@example.com"},
                      accepted{"a@example.com/a b/c@d", "a@example.com/a b/c@d"},
                      accepted{"\xC3\x9Cser@b\xC3\xBC"
                               "cher.example",
                               "\xC3\xBCser@xn--bcher-kva.example"},
                      accepted{"x@[::1]", "x@[::1]"}, accepted{"x@[2001:DB8:0:0::1]/r", "x@[2001:db8::1]/r"},
                      accepted{"x@192.0.2.1", "x@192.0.2.1"},
                      accepted{"example.com/\xE2\x98\x95 caf\xC3\xA9", "example.com/\xE2\x98\x95 caf\xC3\xA9"},
                      accepted{std::string(1022, 'a') + "@example.com", std::string(1022, 'a') + "@example.com"}));

struct refused {
  std::string input;
  jid_errc why;
};

class Refused : public ::testing::TestWithParam<refused> {};

TEST_P(Refused, WithReason) {
  auto jid = parse_jid(GetParam().input);
  ASSERT_FALSE(jid) << jid->full();
  EXPECT_EQ(jid.error().code, make_error_code(GetParam().why)) << jid.error().message();
}

INSTANTIATE_TEST_SUITE_P(
    Jid, Refused,
    ::testing::Values(
        refused{"", jid_errc::empty}, refused{"@example.com", jid_errc::empty_localpart},
        refused{"a@", jid_errc::empty_domainpart}, refused{"a@/r", jid_errc::empty_domainpart},
        refused{"example.com/", jid_errc::empty_resourcepart}, refused{".", jid_errc::empty_domainpart},
        refused{"a@b@c", jid_errc::more_than_one_at},
        refused{std::string(1024, 'a') + "@example.com", jid_errc::localpart_too_long},
        // RFC 7622 allows 1023, gloox overreads its buffer at 1023 (jid.cpp).
        refused{std::string(1023, 'a') + "@example.com", jid_errc::localpart_too_long},
        refused{"example.com/" + std::string(1023, 'r'), jid_errc::resourcepart_too_long},
        refused{"a@example.com/" + std::string(1024, 'r'), jid_errc::resourcepart_too_long},
        refused{"a@" + std::string(1024, 'd'), jid_errc::domainpart_too_long},
        refused{"a b@example.com", jid_errc::forbidden_localpart_character},
        refused{"a\"b@example.com", jid_errc::forbidden_localpart_character},
        refused{"a&b@example.com", jid_errc::forbidden_localpart_character},
        refused{"a'b@example.com", jid_errc::forbidden_localpart_character},
        refused{"a:b@example.com", jid_errc::forbidden_localpart_character},
        refused{"a<b@example.com", jid_errc::forbidden_localpart_character},
        refused{"a>b@example.com", jid_errc::forbidden_localpart_character},
        refused{"a\xC2\xA0"
                "b@example.com",
                jid_errc::forbidden_localpart_character},
        refused{"a\xE3\x80\x80"
                "b@example.com",
                jid_errc::forbidden_localpart_character},
        refused{"a\xEF\xBC\xA0"
                "b@example.com",
                jid_errc::preparation_failed},  // U+FF20 maps to '@'
        refused{"a\x01@example.com", jid_errc::control_character},
        refused{"a\xC2\x85@example.com", jid_errc::control_character},
        refused{"a@example.com/r\x7F", jid_errc::control_character},
        refused{"a@example.com/r\n", jid_errc::control_character}, refused{"a\xC3@example.com", jid_errc::invalid_utf8},
        refused{"a@example.com/\xED\xA0\x80", jid_errc::invalid_utf8},
        refused{"a@exa mple.com", jid_errc::invalid_domainpart},
        refused{"a@example.com..", jid_errc::invalid_domainpart},
        refused{"a@ex_ample.com", jid_errc::invalid_domainpart},
        refused{"a@-example.com", jid_errc::invalid_domainpart},
        refused{"a@" + std::string(64, 'l') + ".com", jid_errc::invalid_domainpart},
        refused{"a@1.2.3", jid_errc::invalid_domainpart}, refused{"a@01.2.3.4", jid_errc::invalid_domainpart},
        refused{"a@[::1", jid_errc::invalid_domainpart}, refused{"a@[1.2.3.4]", jid_errc::invalid_domainpart},
        refused{"a@[]", jid_errc::invalid_domainpart}));

TEST(Jid, SplitFollowsRfc7622Order) {
  auto parts = split_jid("a@b/c@d/e");
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->localpart, "a");
  EXPECT_EQ(parts->domainpart, "b");
  EXPECT_EQ(parts->resourcepart, "c@d/e");
  auto domain_only = split_jid("b/c@d");
  ASSERT_TRUE(domain_only);
  EXPECT_FALSE(domain_only->has_localpart);
  EXPECT_EQ(domain_only->domainpart, "b");
}

TEST(Jid, DomainpartLosesOneTrailingDot) {
  EXPECT_EQ(normalise_domainpart("Example.COM.").value(), "example.com");
  EXPECT_FALSE(normalise_domainpart("example.com.."));
}

}  // namespace
}  // namespace posta::jabber::xml
