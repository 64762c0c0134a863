// Persist mode's notifier: which deliveries of a refreshAndPersist search
// make a pass (directory/sync/persist_session), and the filter it listens with.
#include "directory/sync/persist_session.hpp"

#include <gtest/gtest.h>

namespace posta::directory::sync {
namespace {

ldap::sync_pass with(std::vector<ldap::change::kind> kinds, bool complete = false) {
  ldap::sync_pass p;
  for (auto k : kinds) p.changes.push_back({k, "uuid", {}});
  p.complete_refresh = complete;
  return p;
}

using kind = ldap::change::kind;

TEST(PersistNews, ChangesAndDeletionsAreNews) {
  EXPECT_TRUE(is_news(with({kind::modified}), true));
  EXPECT_TRUE(is_news(with({kind::present, kind::deleted}), true));
}

TEST(PersistNews, UnchangedEntriesAreNot) {
  EXPECT_FALSE(is_news(with({}), true));
  EXPECT_FALSE(is_news(with({kind::present, kind::present}), true));
}

// From a cookie, a refresh that ended with a present phase means entries
// not named are gone: a pass must look. Without a cookie everything comes
// as present and complete: nothing to tell.
TEST(PersistNews, APresentPhaseFromACookieIsNews) {
  EXPECT_TRUE(is_news(with({kind::present}, true), true));
  EXPECT_FALSE(is_news(with({kind::present}, true), false));
}

TEST(PersistNews, ListensForUsersAndGroups) {
  store::source_config c;
  c.user_filter = "(objectClass=inetOrgPerson)";
  c.group_filter = "(objectClass=groupOfNames)";
  EXPECT_EQ(listen_filter(c), "(|(objectClass=inetOrgPerson)(objectClass=groupOfNames))");
}

}  // namespace
}  // namespace posta::directory::sync
