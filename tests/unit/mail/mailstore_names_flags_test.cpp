// The pure rules of mail/store: mailbox names (RFC 3501 5.1, 6.3.3), flags
// and STORE arithmetic (RFC 3501 2.3.2, 6.4.6), PostgreSQL text[] output
// parsing, and UID set normalisation, as table tests.
#include "mail/store/errors.hpp"
#include "mail/store/flags.hpp"
#include "mail/store/mailbox_store.hpp"
#include "mail/store/names.hpp"

#include <gtest/gtest.h>

namespace posta::mail::store {
namespace {

TEST(mailbox_names, NormaliseAcceptsAndFixesInbox) {
  struct row { std::string in, out; };
  for (auto const& r : std::vector<row>{{"INBOX", "INBOX"}, {"inbox", "INBOX"}, {"InBoX/Sub", "INBOX/Sub"},
                                        {"Inboxes", "Inboxes"}, {"Work/", "Work"}, {"Ärger/Ü", "Ärger/Ü"},
                                        {"a b/c", "a b/c"}}) {
    auto n = normalise_name(r.in);
    ASSERT_TRUE(n) << r.in;
    EXPECT_EQ(*n, r.out) << r.in;
  }
}

TEST(mailbox_names, NormaliseRefusesMalformedNames) {
  for (std::string bad : std::vector<std::string>{"", "/", "/a", "a//b", "a\tb", std::string("a\0b", 3), "\xff\xfe", "a\x7f"}) {
    auto n = normalise_name(bad);
    ASSERT_FALSE(n) << bad;
    EXPECT_TRUE(is(n.error(), store_errc::invalid_name)) << bad;
  }
}

TEST(mailbox_names, LimitsOfLengthAndDepth) {
  name_limits limits{10, 3};
  EXPECT_TRUE(normalise_name("a/b/c", limits));
  EXPECT_FALSE(normalise_name("a/b/c/d", limits));
  EXPECT_TRUE(normalise_name("0123456789", limits));
  EXPECT_FALSE(normalise_name("01234567890", limits));
}

TEST(mailbox_names, SuperiorsAndBelow) {
  EXPECT_EQ(superiors_of("a/b/c"), (std::vector<std::string>{"a", "a/b"}));
  EXPECT_TRUE(superiors_of("a").empty());
  EXPECT_TRUE(is_below("a/b", "a"));
  EXPECT_FALSE(is_below("ab", "a"));
  EXPECT_FALSE(is_below("a", "a"));
}

TEST(mailbox_flags, NormaliseMakesCanonicalLists) {
  auto f = normalise_flags({"work", "\\seen", "\\RECENT", "Work", "\\Answered", "$Label1"});
  ASSERT_TRUE(f);
  EXPECT_EQ(*f, (flag_list{"\\Seen", "\\Answered", "work", "$Label1"}));
  EXPECT_EQ(normalise_flags({"\\Bogus"}).error().code, make_error_code(errc::invalid_argument));
  for (std::string bad : {"a b", "a(b", "a]", "a\"", "a*", "a%", "a{", "", "\xc3\xa4"})
    EXPECT_FALSE(normalise_flags({bad})) << bad;
}

TEST(mailbox_flags, LimitsOfKeywordsPerMessageAndLength) {
  flag_limits limits;
  limits.max_keyword_bytes = 4;
  limits.max_flags = 2;
  EXPECT_TRUE(normalise_flags({"abcd"}, limits));
  EXPECT_TRUE(is(normalise_flags({"abcde"}, limits).error(), store_errc::limit));
  EXPECT_TRUE(is(normalise_flags({"a", "b", "c"}, limits).error(), store_errc::limit));
}

TEST(mailbox_flags, StoreModes) {
  flag_list current{"\\Seen", "Work"};
  EXPECT_EQ(apply_store(current, store_mode::add, {"\\Flagged", "work"}), (flag_list{"\\Seen", "\\Flagged", "Work"}));
  EXPECT_EQ(apply_store(current, store_mode::remove, {"\\Seen", "WORK"}), flag_list{});
  EXPECT_EQ(apply_store(current, store_mode::replace, {"\\Draft"}), (flag_list{"\\Draft"}));
  EXPECT_TRUE(same_flags({"a", "\\Seen"}, {"\\Seen", "A"}));
  EXPECT_FALSE(same_flags({"a"}, {"a", "b"}));
}

TEST(mailbox_flags, TextArrayOutputIsParsed) {
  EXPECT_EQ(parse_text_array("{}"), std::vector<std::string>{});
  EXPECT_EQ(parse_text_array("{\"\\\\Seen\",Work}"), (std::vector<std::string>{"\\Seen", "Work"}));
  EXPECT_EQ(parse_text_array("{\"a,b\",\"q\\\"\"}"), (std::vector<std::string>{"a,b", "q\""}));
  EXPECT_FALSE(parse_text_array("{\"open"));
  EXPECT_FALSE(parse_text_array("nope"));
}

TEST(uid_sets, AreSortedAndMerged) {
  auto n = normalise({{10, 12}, {1, 3}, {4, 5}, {11, 20}, {30, 25}});
  ASSERT_EQ(n.size(), 3u);
  EXPECT_EQ(n[0].first, 1u);
  EXPECT_EQ(n[0].last, 5u);
  EXPECT_EQ(n[1].first, 10u);
  EXPECT_EQ(n[1].last, 20u);
  EXPECT_EQ(n[2].first, 25u);
  EXPECT_EQ(n[2].last, 30u);
  auto top = normalise({{4294967295u, 4294967295u}, {1, 4294967295u}});
  ASSERT_EQ(top.size(), 1u);
}

}  // namespace
}  // namespace posta::mail::store
