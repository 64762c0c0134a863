// addressbook/proto/vcard: cards, files of cards, and their bounds.
#include "addressbook/proto/vcard.hpp"

#include <gtest/gtest.h>

namespace posta::addressbook::proto {
namespace {

constexpr std::string_view thunderbird_v4 =
    "BEGIN:VCARD\r\n"
    "VERSION:4.0\r\n"
    "EMAIL;PREF=1:ada@example.org\r\n"
    "FN:Ada Lovelace\r\n"
    "N:Lovelace;Ada;;;\r\n"
    "UID:2c0a6a2e-6c4d-4d7e-9a57-1b2b3c4d5e6f\r\n"
    "END:VCARD\r\n";

TEST(Vcard, ParsesOneCardWithoutItsFrame) {
  auto card = parse_vcard(thunderbird_v4);
  ASSERT_TRUE(card) << card.error().message();
  EXPECT_EQ(card->version, vcard_version::v4_0);
  ASSERT_EQ(card->properties.size(), 4u);
  EXPECT_EQ(card->first("FN")->value, "Ada Lovelace");
  EXPECT_EQ(card->all("EMAIL").size(), 1u);
  EXPECT_EQ(card->first("VERSION"), nullptr);
}

TEST(Vcard, MarkersAreCaseInsensitiveAndVersionMayComeLate) {
  auto card = parse_vcard("begin:vcard\nfn:x\nversion:3.0\nend:vcard\n");
  ASSERT_TRUE(card) << card.error().message();
  EXPECT_EQ(card->version, vcard_version::v3_0);
  EXPECT_EQ(card->properties.size(), 1u);
}

TEST(Vcard, RefusesWhatIsNotExactlyOneCard) {
  auto expect_refused = [](std::string_view text, std::string_view reason) {
    auto card = parse_vcard(text);
    ASSERT_FALSE(card) << text;
    EXPECT_EQ(card.error().code, errc::invalid_argument);
    EXPECT_NE(card.error().context.find(reason), std::string::npos) << card.error().context;
  };
  expect_refused("", "no BEGIN:VCARD");
  expect_refused("FN:x\r\n", "outside BEGIN:VCARD");
  expect_refused("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:x\r\n", "no END:VCARD");
  expect_refused("BEGIN:VCARD\r\nFN:x\r\nEND:VCARD\r\n", "VERSION missing");
  expect_refused("BEGIN:VCARD\r\nVERSION:5.0\r\nEND:VCARD\r\n", "unsupported VERSION");
  expect_refused(std::string(thunderbird_v4) + std::string(thunderbird_v4), "more than one vCard");
  expect_refused("BEGIN:VCARD\r\nVERSION:2.1\r\nAGENT:\r\nBEGIN:VCARD\r\nVERSION:2.1\r\nEND:VCARD\r\nEND:VCARD\r\n",
                 "inside a vCard");
  expect_refused("BEGIN:VCARD\r\nVERSION:4.0\r\nFN x\r\nEND:VCARD\r\n", "line 3");
}

TEST(Vcard, SizeAndPropertyBounds) {
  vcard_limits limits;
  limits.max_card_bytes = 200;
  limits.max_properties = 3;
  std::string big = "BEGIN:VCARD\r\nVERSION:4.0\r\nNOTE:" + std::string(250, 'x') + "\r\nEND:VCARD\r\n";
  EXPECT_EQ(parse_vcard(big, limits).error().code, errc::limit_exceeded);
  std::string many = "BEGIN:VCARD\r\nVERSION:4.0\r\nA:1\r\nB:2\r\nC:3\r\nD:4\r\nEND:VCARD\r\n";
  EXPECT_EQ(parse_vcard(many, limits).error().code, errc::limit_exceeded);
}

TEST(Vcard, FileOfCardsKeepsGoodOnesAndNamesBadOnes) {
  std::string file = std::string(thunderbird_v4) + "\r\n" + "BEGIN:VCARD\r\nFN:no version\r\nEND:VCARD\r\n" +
                     std::string(thunderbird_v4);
  auto got = parse_vcard_file(file);
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(got->cards.size(), 2u);
  ASSERT_EQ(got->refusals.size(), 1u);
  EXPECT_EQ(got->refusals[0].number, 2u);
  EXPECT_EQ(got->refusals[0].reason, "VERSION missing");
  vcard_limits limits;
  limits.max_cards = 2;
  auto too_many = parse_vcard_file(std::string(thunderbird_v4) + file, limits);
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().code, errc::limit_exceeded);
}

}  // namespace
}  // namespace posta::addressbook::proto
