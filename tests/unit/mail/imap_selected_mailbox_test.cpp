// The selected mailbox model: sequence numbers never move under the client
// while an expunge cannot be announced; EXPUNGE/VANISHED, EXISTS and FETCH
// FLAGS come out as the client must apply them.
#include "mail/imap/server/selected_mailbox.hpp"

#include <gtest/gtest.h>

namespace posta::mail::imap::server {
namespace {

selected_mailbox five() {
  mailbox_view v;
  v.uidvalidity = 7;
  v.uidnext = 60;
  v.highestmodseq = 100;
  v.uids = {10, 20, 30, 40, 50};
  v.modseqs = {1, 2, 3, 4, 5};
  v.flags = {{"\\Seen"}, {}, {"\\Seen", "\\Deleted"}, {}, {"$Junk"}};
  return selected_mailbox(std::move(v));
}

TEST(SelectedMailbox, MapsSequenceNumbersAndUids) {
  auto m = five();
  EXPECT_EQ(m.count(), 5u);
  EXPECT_EQ(m.uid_at(2), 30u);
  EXPECT_EQ(m.position_of(40), 3u);
  EXPECT_FALSE(m.position_of(35));
  EXPECT_EQ(format_flag_list(m.flags_at(2)), "(\\Deleted \\Seen)");
  EXPECT_FALSE(m.has_pending());
  EXPECT_EQ(m.announce({}), "");
}

TEST(SelectedMailbox, ExpungesWaitUntilTheyMayBeAnnounced) {
  auto m = five();
  m.on_expunged(20);
  m.on_expunged(40);
  // During FETCH 1:* nothing moves: 5 messages, UID 50 is still number 5.
  EXPECT_EQ(m.announce({.allow_expunges = false}), "");
  EXPECT_EQ(m.count(), 5u);
  EXPECT_EQ(m.uid_at(4), 50u);
  EXPECT_TRUE(m.is_expunged(1));
  EXPECT_EQ(m.pending_expunges(), 2u);
  // At NOOP: descending, so each number is right when the client applies it.
  EXPECT_EQ(m.announce({}), "* 4 EXPUNGE\r\n* 2 EXPUNGE\r\n");
  EXPECT_EQ(m.count(), 3u);
  EXPECT_EQ(m.uid_at(2), 50u);
  EXPECT_FALSE(m.has_pending());
}

TEST(SelectedMailbox, QresyncAnnouncesVanished) {
  auto m = five();
  m.on_expunged(10);
  m.on_expunged(30);
  m.on_expunged(99);  // never known: ignored
  EXPECT_EQ(m.announce({.qresync = true}), "* VANISHED 10,30\r\n");
  EXPECT_EQ(m.count(), 3u);
}

TEST(SelectedMailbox, NewMessagesAreAnnouncedWithExists) {
  auto m = five();
  m.on_flags(60, 101, {"\\Recent"});
  m.on_flags(61, 102, {});
  m.on_state(62, 102);
  EXPECT_EQ(m.count(), 6u + 1u);
  EXPECT_EQ(m.announce({.allow_expunges = false}), "* 7 EXISTS\r\n");
  EXPECT_EQ(m.uidnext(), 62u);
  EXPECT_EQ(m.highestmodseq(), 102u);
  EXPECT_EQ(m.known_modseq(), 102u);
}

TEST(SelectedMailbox, NewMessageAfterAPendingExpungeKeepsTheNumbersConsistent) {
  auto m = five();
  m.on_expunged(50);
  m.on_flags(70, 110, {});
  // Not allowed to expunge: the new message is number 6, after the expunged 5.
  EXPECT_EQ(m.announce({.allow_expunges = false}), "* 6 EXISTS\r\n");
  EXPECT_EQ(m.position_of(70), 5u);
  EXPECT_EQ(m.announce({}), "* 5 EXPUNGE\r\n");
  EXPECT_EQ(m.position_of(70), 4u);
  EXPECT_EQ(m.count(), 5u);
}

TEST(SelectedMailbox, NewMessageExpungedBeforeItWasToldIsDroppedSilently) {
  auto m = five();
  m.on_flags(70, 110, {});
  m.on_expunged(70);
  EXPECT_EQ(m.announce({}), "");
  EXPECT_EQ(m.count(), 5u);
}

TEST(SelectedMailbox, FlagChangesOfOthersAreToldOursAreNot) {
  auto m = five();
  m.on_flags(20, 200, {"\\Flagged"});
  m.on_flags(40, 201, {"\\Seen"}, /*told=*/true);
  m.on_flags(10, 1, {"\\Answered"});  // older than what we have: ignored
  EXPECT_EQ(m.announce({.condstore = true}), "* 2 FETCH (UID 20 FLAGS (\\Flagged) MODSEQ (200))\r\n");
  EXPECT_EQ(format_flag_list(m.flags_at(3)), "(\\Seen)");
  EXPECT_EQ(format_flag_list(m.flags_at(0)), "(\\Seen)");
  EXPECT_EQ(m.modseq_at(1), 200u);
}

TEST(SelectedMailbox, FlagChangeOfAnExpungedMessageIsNotSent) {
  auto m = five();
  m.on_flags(30, 300, {"\\Seen"});
  m.on_expunged(30);
  EXPECT_EQ(m.announce({}), "* 3 EXPUNGE\r\n");
}

TEST(SelectedMailbox, ManyMessagesShareFlagLists) {
  mailbox_view v;
  for (std::uint32_t i = 1; i <= 100000; ++i) {
    v.uids.push_back(i);
    v.modseqs.push_back(i);
    v.flags.push_back(i % 2 ? flag_names{"\\Seen"} : flag_names{});
  }
  selected_mailbox m(std::move(v));
  EXPECT_EQ(m.count(), 100000u);
  for (std::uint32_t i = 1; i <= 100000; i += 3) m.on_expunged(i);
  auto out = m.announce({});
  EXPECT_EQ(m.count(), 100000u - 33334u);
  EXPECT_EQ(out.substr(0, 35), "* 100000 EXPUNGE\r\n* 99997 EXPUNGE\r\n");
}

TEST(SelectedMailbox, TakesTheSnapshotsSharedFlagLists) {
  mailbox_view v;
  v.uids = {1, 2, 3};
  v.modseqs = {1, 1, 1};
  v.flag_sets = {{"\\Seen"}, {}};
  v.flag_set = {1, 0, 1};
  selected_mailbox m(std::move(v));
  EXPECT_EQ(format_flag_list(m.flags_at(0)), "()");
  EXPECT_EQ(format_flag_list(m.flags_at(1)), "(\\Seen)");
  EXPECT_EQ(format_flag_list(m.flags_at(2)), "()");
}

TEST(SelectedMailbox, RecentIsTheClaimedUidsAndComesWithExists) {
  auto m = five();
  m.add_recent(30, 50);  // this session claimed UIDs 31..50
  EXPECT_FALSE(m.is_recent(2));
  EXPECT_TRUE(m.is_recent(3));
  EXPECT_TRUE(m.is_recent(4));
  EXPECT_EQ(m.recent_count(), 2u);
  EXPECT_EQ(m.flags_text(4, true), "($Junk \\Recent)");
  EXPECT_EQ(m.flags_text(3, true), "(\\Recent)");
  EXPECT_EQ(m.flags_text(3, false), "()");  // IMAP4rev2: never told
  m.on_flags(60, 101, {});
  m.add_recent(50, 60);
  EXPECT_EQ(m.announce({.recent = true}), "* 6 EXISTS\r\n* 3 RECENT\r\n");
  m.on_flags(70, 102, {});  // claimed by another session: not ours
  EXPECT_EQ(m.announce({.recent = true}), "* 7 EXISTS\r\n* 3 RECENT\r\n");
  m.on_flags(60, 103, {"\\Seen"});
  EXPECT_EQ(m.announce({.recent = true}), "* 6 FETCH (UID 60 FLAGS (\\Seen \\Recent))\r\n");
  EXPECT_EQ(m.announce({}), "");
}

TEST(SelectedMailbox, RecentCountsOnlyMessagesTheClientKnows) {
  auto m = five();
  m.on_flags(60, 101, {});
  m.add_recent(0, 60);
  EXPECT_EQ(m.recent_count(), 5u);  // the new one is not told yet
  m.on_expunged(10);
  EXPECT_EQ(m.announce({.recent = true}), "* 1 EXPUNGE\r\n* 5 EXISTS\r\n* 5 RECENT\r\n");
}

// The session's own STORE may get MODSEQ 103 while another session's change
// at 102 is not heard yet: only a refresh may say everything up to a MODSEQ
// is known, or the next refresh (changes after it) would miss 102.
TEST(SelectedMailbox, OwnChangesDoNotRaiseTheModseqKnownComplete) {
  auto m = five();
  m.on_flags(20, 103, {"\\Flagged"}, true);
  EXPECT_EQ(m.modseq_at(1), 103u);
  EXPECT_EQ(m.known_modseq(), 100u);
  m.on_state(60, 103);
  EXPECT_EQ(m.known_modseq(), 103u);
}

}  // namespace
}  // namespace posta::mail::imap::server
