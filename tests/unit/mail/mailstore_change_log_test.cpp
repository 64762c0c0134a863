// mail/store/change_log: a log folded from incremental reads answers every
// MODSEQ it covers exactly as a fresh changes_since would. Checked against a
// model mailbox driven by random appends, flag changes and expunges.
#include "mail/store/change_log.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace posta::mail::store {
namespace {

// What the database holds, and changes_since computed from it directly.
struct model_mailbox {
  std::int64_t modseq = 1;
  uid_t uidnext = 1;
  std::map<uid_t, message_flags> messages;
  std::map<uid_t, std::int64_t> expunges;

  void append() {
    auto uid = uidnext++;
    messages[uid] = {uid, ++modseq, {}};
  }
  void flag(uid_t uid, std::string f) {
    auto it = messages.find(uid);
    if (it == messages.end()) return;
    it->second.modseq = ++modseq;
    it->second.flags = {std::move(f)};
  }
  void expunge(uid_t uid) {
    if (messages.erase(uid) == 1) expunges[uid] = ++modseq;
  }
  changes since(std::int64_t s) const {
    changes out;
    out.uidnext = uidnext;
    out.highestmodseq = modseq;
    out.uidvalidity = 7;
    out.name = "INBOX";
    for (auto const& [uid, m] : messages)
      if (m.modseq > s) out.changed.push_back(m);
    for (auto const& [uid, ms] : expunges)
      if (ms > s) {
        out.expunged.push_back(uid);
        out.expunged_modseqs.push_back(ms);
      }
    return out;
  }
};

void expect_same(changes const& a, changes const& b, std::int64_t since) {
  EXPECT_EQ(a.highestmodseq, b.highestmodseq) << since;
  EXPECT_EQ(a.uidnext, b.uidnext) << since;
  ASSERT_EQ(a.changed.size(), b.changed.size()) << since;
  for (std::size_t i = 0; i < a.changed.size(); ++i) {
    EXPECT_EQ(a.changed[i].uid, b.changed[i].uid) << since;
    EXPECT_EQ(a.changed[i].modseq, b.changed[i].modseq) << since;
    EXPECT_EQ(a.changed[i].flags, b.changed[i].flags) << since;
  }
  EXPECT_EQ(a.expunged, b.expunged) << since;
  EXPECT_EQ(a.expunged_modseqs, b.expunged_modseqs) << since;
}

void random_change(model_mailbox& box, std::mt19937& rng) {
  auto const pick = [&] { return static_cast<uid_t>(1 + rng() % std::max<uid_t>(1, box.uidnext - 1)); };
  switch (rng() % 4) {
    case 0: box.append(); break;
    case 1: box.expunge(pick()); break;
    default: box.flag(pick(), rng() % 2 ? "\\Seen" : "\\Flagged");
  }
}

TEST(change_log, AnswersEveryCoveredModseqLikeAFreshRead) {
  std::mt19937 rng(42);
  for (int round = 0; round < 40; ++round) {
    model_mailbox box;
    for (int i = 0; i < 20; ++i) box.append();
    change_log log;
    std::int64_t const first = box.modseq - static_cast<std::int64_t>(rng() % 10);
    log.fold(box.since(first), first);
    for (int read = 0; read < 15; ++read) {
      for (int n = static_cast<int>(rng() % 6); n > 0; --n) random_change(box, rng);
      auto const after = log.highestmodseq();
      log.fold(box.since(after), after);
      ASSERT_EQ(log.base(), first);
      for (auto s = log.base(); s <= log.highestmodseq(); ++s) {
        ASSERT_TRUE(log.covers(s));
        expect_same(log.since(s), box.since(s), s);
      }
    }
  }
}

TEST(change_log, CoversOnlyItsOwnRange) {
  change_log log;
  EXPECT_FALSE(log.covers(0));
  model_mailbox box;
  for (int i = 0; i < 5; ++i) box.append();
  log.fold(box.since(3), 3);
  EXPECT_FALSE(log.covers(2));   // older than what was read
  EXPECT_TRUE(log.covers(3));
  EXPECT_TRUE(log.covers(box.modseq));
  EXPECT_FALSE(log.covers(box.modseq + 1));  // knows more than the log: read again
}

TEST(change_log, AReadThatDoesNotContinueTheLogStartsItAgain) {
  model_mailbox box;
  for (int i = 0; i < 5; ++i) box.append();
  change_log log;
  log.fold(box.since(2), 2);
  box.flag(1, "\\Seen");
  box.append();
  auto const gap = box.modseq;  // a read from here skips what came before it
  box.expunge(2);
  log.fold(box.since(gap), gap);
  EXPECT_EQ(log.base(), gap);
  EXPECT_FALSE(log.covers(2));
  expect_same(log.since(gap), box.since(gap), gap);
}

TEST(change_log, ForgetsPastItsBoundAndStaysExact) {
  model_mailbox box;
  change_log log(8);
  log.fold(box.since(box.modseq), box.modseq);
  for (int i = 0; i < 20; ++i) {
    box.append();
    auto const after = log.highestmodseq();
    log.fold(box.since(after), after);
    for (auto s = log.base(); s <= log.highestmodseq(); ++s) expect_same(log.since(s), box.since(s), s);
  }
  EXPECT_GT(log.base(), 1);  // it did forget
  EXPECT_LE(static_cast<std::int64_t>(log.since(log.base()).changed.size()), 8);
}

}  // namespace
}  // namespace posta::mail::store
