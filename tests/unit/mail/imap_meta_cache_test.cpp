// The session's metadata cache: what it keeps, its byte budget, and a
// structure added to metadata first kept without one.
#include "mail/imap/server/meta_cache.hpp"
#include "mail/store/body_cache.hpp"

#include <gtest/gtest.h>

namespace posta::mail::imap::server {
namespace {

store::message_meta meta(std::uint32_t uid) {
  store::message_meta m;
  m.uid = uid;
  m.internal_date = 1700000000 + uid;
  m.size = 1000 + uid;
  m.flags = {"\\Seen"};
  m.header_prefix = "Return-Path: <someone@example.test>\r\n";
  m.blob_hash = std::string(64, 'a');
  return m;
}

TEST(ImapMetaCache, KeepsWhatItReadWithoutFlags) {
  meta_cache cache(1 << 20);
  auto m = meta(7);
  auto const* kept = cache.keep(m);
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(cache.find(7, false), kept);
  EXPECT_EQ(kept->internal_date, 1700000007);
  EXPECT_EQ(kept->header_prefix, "Return-Path: <someone@example.test>\r\n");
  EXPECT_TRUE(kept->flags.empty());  // flags are the selected mailbox's, never a stale copy
  EXPECT_EQ(cache.find(8, false), nullptr);
}

TEST(ImapMetaCache, StopsKeepingAtItsBudgetAndLeavesTheRestUntouched) {
  meta_cache cache(4096);
  std::uint32_t kept = 0;
  for (std::uint32_t uid = 1; uid <= 100; ++uid) {
    auto m = meta(uid);
    if (cache.keep(m)) {
      ++kept;
    } else {
      EXPECT_EQ(m.header_prefix, meta(uid).header_prefix);  // not kept: still the caller's
      EXPECT_FALSE(m.flags.empty());
    }
  }
  EXPECT_GT(kept, 0u);
  EXPECT_LT(kept, 100u);
  EXPECT_LE(cache.bytes(), 4096u);
  meta_cache none(0);
  auto m = meta(1);
  EXPECT_EQ(none.keep(m), nullptr);
  cache.clear();
  EXPECT_EQ(cache.bytes(), 0u);
  EXPECT_EQ(cache.find(1, false), nullptr);
}

TEST(ImapMetaCache, AStructureReadLaterJoinsTheKeptMetadata) {
  meta_cache cache(1 << 20);
  auto lean = meta(3);
  auto const* kept = cache.keep(lean);
  EXPECT_EQ(cache.find(3, true), nullptr);  // asked with structure: not there yet
  auto full = meta(3);
  full.parsed = std::make_shared<store::parsed_body const>(mime::message_structure{});
  EXPECT_EQ(cache.keep(full), kept);
  ASSERT_EQ(cache.find(3, true), kept);
  EXPECT_TRUE(kept->parsed);
}

}  // namespace
}  // namespace posta::mail::imap::server
