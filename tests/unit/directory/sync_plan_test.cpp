// Sync planning: what a pass creates, updates, disables, and what it
// refuses to do (conflicts, the mass-disable safety stop).
#include "directory/proto/sync_plan.hpp"

#include <gtest/gtest.h>

#include <set>

namespace posta::directory::proto {
namespace {

directory_user user(std::string uuid, std::string mail, account_state state = account_state::enabled) {
  directory_user u;
  u.uuid = uuid;
  u.dn = "uid=" + uuid + ",dc=corp,dc=test";
  u.login = uuid;
  u.mail = mail;
  u.display_name = uuid;
  u.state = state;
  return u;
}

known_account known(std::int64_t id, directory_user const& u) {
  return {id,    u.uuid,    u.mail,    u.login,       u.dn, u.display_name, u.state == account_state::enabled,
          false, u.details, u.aliases, u.photo_sha256};
}

plan_input input() {
  plan_input in;
  in.managed_domains = {"corp.test"};
  in.complete = true;
  return in;
}

TEST(SyncPlan, CreatesUnknownUsersInManagedDomainsOnly) {
  auto in = input();
  in.users = {user("a", "a@corp.test"), user("b", "b@elsewhere.test")};
  auto plan = plan_sync(in);
  ASSERT_EQ(plan.creates.size(), 1u);
  EXPECT_EQ(plan.creates[0].mail, "a@corp.test");
  ASSERT_EQ(plan.skipped.size(), 1u);
  EXPECT_EQ(plan.skipped[0].address, "b@elsewhere.test");
}

TEST(SyncPlan, UnchangedEntriesPlanNothing) {
  auto in = input();
  auto a = user("a", "a@corp.test");
  a.details = {{"title", "Engineer"}};
  in.users = {a};
  in.known = {known(1, a)};
  EXPECT_TRUE(plan_sync(in).empty());
}

TEST(SyncPlan, RenameKeepsTheSameAccount) {
  auto in = input();
  auto before = user("a", "a@corp.test");
  auto after = user("a", "ann@corp.test");
  after.display_name = "Ann";
  in.users = {after};
  in.known = {known(7, before)};
  auto plan = plan_sync(in);
  EXPECT_TRUE(plan.creates.empty());
  ASSERT_EQ(plan.updates.size(), 1u);
  EXPECT_EQ(plan.updates[0].before.id, 7);
  EXPECT_EQ(plan.updates[0].after.mail, "ann@corp.test");
  EXPECT_EQ(plan.updates[0].changed, (std::vector<std::string>{"address", "display_name"}));
}

TEST(SyncPlan, LocalAddressesAreConflictsNotOverwritten) {
  auto in = input();
  auto b = user("b", "b@corp.test");
  b.aliases = {"boss@corp.test", "bee@corp.test"};
  in.users = {user("a", "local@corp.test"), b};
  in.known = {known(2, user("b", "b@corp.test"))};
  std::set<std::string> taken{"local@corp.test", "boss@corp.test"};
  in.taken_elsewhere = [&](std::string const& a) { return taken.count(a) > 0; };
  auto plan = plan_sync(in);
  EXPECT_TRUE(plan.creates.empty());
  ASSERT_EQ(plan.conflicts.size(), 1u);
  EXPECT_EQ(plan.conflicts[0].address, "local@corp.test");
  ASSERT_EQ(plan.updates.size(), 1u);
  EXPECT_EQ(plan.updates[0].after.aliases, std::vector<std::string>{"bee@corp.test"});
}

TEST(SyncPlan, TwoEntriesWithOneAddress) {
  auto in = input();
  in.users = {user("a", "x@corp.test"), user("b", "x@corp.test")};
  auto plan = plan_sync(in);
  EXPECT_EQ(plan.creates.size(), 1u);
  EXPECT_EQ(plan.conflicts.size(), 1u);
}

TEST(SyncPlan, GoneAndDisabledUsers) {
  auto in = input();
  auto a = user("a", "a@corp.test"), b = user("b", "b@corp.test"), c = user("c", "c@corp.test");
  in.known = {known(1, a), known(2, b), known(3, c)};
  in.users = {a, user("b", "b@corp.test", account_state::disabled)};
  auto plan = plan_sync(in);
  ASSERT_EQ(plan.missing.size(), 1u);
  EXPECT_EQ(plan.missing[0].account.id, 3);
  ASSERT_EQ(plan.updates.size(), 1u);
  EXPECT_EQ(plan.updates[0].changed, std::vector<std::string>{"enabled"});
  EXPECT_EQ(plan.disables(), 2u);
  EXPECT_FALSE(plan.stopped);  // a handful is always allowed
}

TEST(SyncPlan, IncrementalPassesOnlyTouchWhatTheyName) {
  auto in = input();
  in.complete = false;
  auto a = user("a", "a@corp.test"), b = user("b", "b@corp.test");
  in.known = {known(1, a), known(2, b)};
  in.deleted_uuids = {"b", "unknown"};
  auto plan = plan_sync(in);
  ASSERT_EQ(plan.missing.size(), 1u);
  EXPECT_EQ(plan.missing[0].account.id, 2);
}

TEST(SyncPlan, UnchangedEntriesOfAPresentPhaseAreNotGone) {
  auto in = input();
  auto a = user("a", "a@corp.test"), b = user("b", "b@corp.test");
  in.known = {known(1, a), known(2, b)};
  in.unchanged_uuids = {"a"};  // RFC 4533 present phase: named by UUID only
  auto plan = plan_sync(in);
  ASSERT_EQ(plan.missing.size(), 1u);
  EXPECT_EQ(plan.missing[0].account.id, 2);
  EXPECT_FALSE(plan.stopped);
}

TEST(SyncPlan, GoneOnceWhenNamedDeletedAndAbsentFromACompletePass) {
  // AD without tombstones: a changed entry that no longer maps (its mail
  // removed) is named deleted, and the listing of who is there leaves it out.
  auto in = input();
  auto a = user("a", "a@corp.test"), b = user("b", "b@corp.test");
  in.known = {known(1, a), known(2, b)};
  in.unchanged_uuids = {"a"};
  in.deleted_uuids = {"b"};
  auto plan = plan_sync(in);
  ASSERT_EQ(plan.missing.size(), 1u);
  EXPECT_EQ(plan.missing[0].account.id, 2);
}

TEST(SyncPlan, MassDisableStopsUnlessForced) {
  auto in = input();
  for (int i = 0; i < 20; ++i) {
    auto u = user("u" + std::to_string(i), "u" + std::to_string(i) + "@corp.test");
    in.known.push_back(known(i + 1, u));
    if (i < 10) in.users.push_back(u);  // half of them gone
  }
  auto plan = plan_sync(in);
  EXPECT_TRUE(plan.stopped);
  EXPECT_NE(plan.stop_reason.find("10 of 20"), std::string::npos);
  in.force = true;
  EXPECT_FALSE(plan_sync(in).stopped);
}

// An incremental pass loads only the accounts it names; the safety bound
// counts them all (enabled_known), so a few deletions out of many pass and
// a mass deletion still stops.
TEST(SyncPlan, IncrementalSafetyCountsEveryEnabledAccount) {
  auto in = input();
  in.complete = false;
  for (int i = 0; i < 8; ++i) {
    auto u = user("u" + std::to_string(i), "u" + std::to_string(i) + "@corp.test");
    in.known.push_back(known(i + 1, u));
    in.deleted_uuids.push_back(u.uuid);
  }
  in.enabled_known = 1000;
  EXPECT_FALSE(plan_sync(in).stopped);  // 8 of 1,000
  EXPECT_EQ(plan_sync(in).missing.size(), 8u);
  in.enabled_known = 10;
  EXPECT_TRUE(plan_sync(in).stopped);  // 8 of 10
}

TEST(SyncPlan, LookupsNameWhatThePassTouches) {
  auto in = input();
  in.complete = false;
  auto a = user("a", "a@corp.test");
  a.aliases = {"ann@corp.test"};
  in.users = {a, user("b", "b@corp.test")};
  in.deleted_uuids = {"c"};
  EXPECT_EQ(uuids_named(in), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(addresses_given(in.users), (std::vector<std::string>{"a@corp.test", "ann@corp.test", "b@corp.test"}));
}

TEST(SyncPlan, AnEmptyAnswerStops) {
  auto in = input();
  in.known = {known(1, user("a", "a@corp.test"))};
  auto plan = plan_sync(in);
  EXPECT_TRUE(plan.stopped);
  EXPECT_NE(plan.stop_reason.find("no user"), std::string::npos);
}

TEST(SyncPlan, AMissingAccountThatReturnsIsBack) {
  auto in = input();
  auto a = user("a", "a@corp.test");
  auto k = known(1, a);
  k.missing = true;
  k.enabled = false;
  in.known = {k};
  in.users = {a};
  auto plan = plan_sync(in);
  ASSERT_EQ(plan.updates.size(), 1u);
  EXPECT_EQ(plan.updates[0].changed, (std::vector<std::string>{"enabled", "back"}));
}

}  // namespace
}  // namespace posta::directory::proto
