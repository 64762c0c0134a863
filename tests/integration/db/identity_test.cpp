// core/identity::store against a real PostgreSQL: the rules an administrator
// relies on (normalised names, no duplicates, no dangling references), also
// under concurrent requests.
#include "db_fixture.hpp"

#include "core/identity/store.hpp"

#include <boost/asio/detached.hpp>
#include <boost/json.hpp>

#include <algorithm>

namespace posta::itest {
namespace {

class identity_store : public db_test {
 protected:
  void SetUp() override {
    db_test::SetUp();
    store_ = std::make_unique<identity::store>(*pool_);
    ASSERT_TRUE(is_ok(run(store_->create_domain("example.test", "Example"))));
  }

  result<identity::account_info> add_account(std::string address, std::int64_t quota = 0) {
    identity::new_account spec;
    spec.address = std::move(address);
    spec.password = "correct horse";
    spec.quota_bytes = quota;
    return run(store_->create_account(spec));
  }

  std::unique_ptr<identity::store> store_;
};

TEST_F(identity_store, DomainsAreNormalisedAndUnique) {
  auto idn = run(store_->create_domain("Bücher.Example", ""));
  ASSERT_TRUE(is_ok(idn));
  EXPECT_EQ(idn->name, "xn--bcher-kva.example");
  EXPECT_EQ(idn->source, "local");
  EXPECT_TRUE(fails_with(run(store_->create_domain("bücher.example", "")), errc::already_exists));
  EXPECT_TRUE(fails_with(run(store_->create_domain("EXAMPLE.test", "")), errc::already_exists));
  for (auto bad : {"", "bad..test", "-x.test", "x y.test", "a.123"}) {
    SCOPED_TRACE(bad);
    EXPECT_TRUE(fails_with(run(store_->create_domain(bad, "")), errc::invalid_argument));
  }
  EXPECT_TRUE(fails_with(run(store_->create_domain("long.test", std::string(2000, 'd'))), errc::invalid_argument));
  auto all = run(store_->list_domains());
  ASSERT_TRUE(is_ok(all));
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "example.test");
  EXPECT_EQ((*all)[1].name, "xn--bcher-kva.example");
  auto shown = run(store_->get_domain("BÜCHER.example"));
  ASSERT_TRUE(is_ok(shown));
  EXPECT_EQ(shown->name, "xn--bcher-kva.example");
  EXPECT_TRUE(fails_with(run(store_->get_domain("nowhere.test")), errc::not_found));
}

TEST_F(identity_store, DomainDeletionWaitsForItsAccounts) {
  ASSERT_TRUE(is_ok(add_account("a@example.test")));
  auto d = run(store_->get_domain("example.test"));
  ASSERT_TRUE(is_ok(d));
  EXPECT_EQ(d->accounts, 1);
  EXPECT_TRUE(fails_with(run(store_->delete_domain("example.test")), errc::conflict));
  ASSERT_TRUE(is_ok(run(store_->delete_account("a@example.test"))));
  EXPECT_TRUE(is_ok(run(store_->delete_domain("example.test"))));
  EXPECT_TRUE(fails_with(run(store_->delete_domain("example.test")), errc::not_found));
  EXPECT_TRUE(fails_with(add_account("b@example.test"), errc::not_found));
}

TEST_F(identity_store, AccountsHoldTheirSettingsAndSecrets) {
  auto a = add_account("Alice@Example.TEST", 1 << 20);
  ASSERT_TRUE(is_ok(a));
  EXPECT_EQ(a->address, "alice@example.test");
  EXPECT_EQ(a->domain, "example.test");
  EXPECT_EQ(a->quota_bytes, 1 << 20);
  EXPECT_EQ(a->used_bytes, 0);
  EXPECT_TRUE(a->enabled);
  EXPECT_EQ(a->source, "local");
  auto creds = run(store_->find_credentials("alice@example.test"));
  ASSERT_TRUE(is_ok(creds));
  ASSERT_TRUE(creds->has_value());
  EXPECT_EQ((*creds)->account_id, a->id);
  ASSERT_TRUE((*creds)->password_hash.has_value());
  EXPECT_EQ((*creds)->password_hash->rfind("$argon2id$", 0), 0u) << *(*creds)->password_hash;
  EXPECT_EQ((*creds)->password_hash->find("correct horse"), std::string::npos);
  auto scram = boost::json::parse((*creds)->scram_json);
  EXPECT_TRUE(scram.as_object().contains("sha1"));
  EXPECT_TRUE(scram.as_object().contains("sha256"));
  auto none = run(store_->find_credentials("nobody@example.test"));
  ASSERT_TRUE(is_ok(none));
  EXPECT_FALSE(none->has_value());
}

TEST_F(identity_store, AccountRefusals) {
  ASSERT_TRUE(is_ok(add_account("dup@example.test")));
  EXPECT_TRUE(fails_with(add_account("DUP@example.test"), errc::already_exists));
  EXPECT_TRUE(fails_with(add_account("x@unknown.test"), errc::not_found));
  for (auto bad : {"nobody", "a@@example.test", "@example.test", "a b@example.test", ".a@example.test"}) {
    SCOPED_TRACE(bad);
    EXPECT_TRUE(fails_with(add_account(bad), errc::invalid_argument));
  }
  EXPECT_TRUE(fails_with(add_account("neg@example.test", -1), errc::invalid_argument));
  identity::new_account empty_pw{"empty@example.test", "", "", 0, true};
  EXPECT_TRUE(fails_with(run(store_->create_account(empty_pw)), errc::invalid_argument));
  identity::new_account control{"ctl@example.test", "pw", "bell\a", 0, true};
  EXPECT_TRUE(fails_with(run(store_->create_account(control)), errc::invalid_argument));
  auto all = run(store_->list_accounts(std::nullopt));
  ASSERT_TRUE(is_ok(all));
  EXPECT_EQ(all->size(), 1u);
}

TEST_F(identity_store, UpdatesChangeOnlyWhatIsGiven) {
  ASSERT_TRUE(is_ok(add_account("u@example.test", 100)));
  identity::account_update quota;
  quota.quota_bytes = 5000;
  auto a = run(store_->update_account("u@example.test", quota));
  ASSERT_TRUE(is_ok(a));
  EXPECT_EQ(a->quota_bytes, 5000);
  identity::account_update disable;
  disable.enabled = false;
  disable.display_name = "U. Ser";
  a = run(store_->update_account("U@example.test", disable));
  ASSERT_TRUE(is_ok(a));
  EXPECT_FALSE(a->enabled);
  EXPECT_EQ(a->display_name, "U. Ser");
  EXPECT_EQ(a->quota_bytes, 5000);
  identity::account_update negative;
  negative.quota_bytes = -5;
  EXPECT_TRUE(fails_with(run(store_->update_account("u@example.test", negative)), errc::invalid_argument));
  EXPECT_TRUE(fails_with(run(store_->update_account("ghost@example.test", quota)), errc::not_found));
  auto creds = run(store_->find_credentials("u@example.test"));
  ASSERT_TRUE(is_ok(creds));
  EXPECT_FALSE((*creds)->enabled);
}

TEST_F(identity_store, AliasesCheckTheirTargets) {
  ASSERT_TRUE(is_ok(add_account("bob@example.test")));
  ASSERT_TRUE(is_ok(run(store_->create_group("team@example.test", "Team"))));
  auto alias = run(store_->create_alias("info@example.test", {"bob@example.test", "x@elsewhere.org", "team@example.test"}));
  ASSERT_TRUE(is_ok(alias));
  auto targets = alias->targets;
  std::sort(targets.begin(), targets.end());
  EXPECT_EQ(targets, (std::vector<std::string>{"bob@example.test", "team@example.test", "x@elsewhere.org"}));
  EXPECT_TRUE(fails_with(run(store_->create_alias("dangle@example.test", {"nobody@example.test"})), errc::not_found));
  EXPECT_TRUE(fails_with(run(store_->create_alias("self@example.test", {"self@example.test"})), errc::invalid_argument));
  EXPECT_TRUE(fails_with(run(store_->create_alias("none@example.test", {})), errc::invalid_argument));
  EXPECT_TRUE(fails_with(run(store_->get_alias("dangle@example.test")), errc::not_found));
  // The refused alias released its address.
  EXPECT_TRUE(is_ok(add_account("dangle@example.test")));
}

TEST_F(identity_store, TargetsCannotBeDeletedWhileAnAliasPointsAtThem) {
  ASSERT_TRUE(is_ok(add_account("held@example.test")));
  ASSERT_TRUE(is_ok(run(store_->create_group("grp@example.test", ""))));
  ASSERT_TRUE(is_ok(run(store_->create_alias("to-held@example.test", {"held@example.test", "grp@example.test"}))));
  ASSERT_TRUE(is_ok(run(store_->create_alias("to-alias@example.test", {"to-held@example.test"}))));
  EXPECT_TRUE(fails_with(run(store_->delete_account("held@example.test")), errc::conflict));
  EXPECT_TRUE(fails_with(run(store_->delete_group("grp@example.test")), errc::conflict));
  EXPECT_TRUE(fails_with(run(store_->delete_alias("to-held@example.test")), errc::conflict));
  EXPECT_TRUE(is_ok(run(store_->get_account("held@example.test"))));
  ASSERT_TRUE(is_ok(run(store_->delete_alias("to-alias@example.test"))));
  ASSERT_TRUE(is_ok(run(store_->delete_alias("to-held@example.test"))));
  EXPECT_TRUE(is_ok(run(store_->delete_account("held@example.test"))));
  EXPECT_TRUE(is_ok(run(store_->delete_group("grp@example.test"))));
}

TEST_F(identity_store, AccountsAliasesAndGroupsShareOneAddressSpace) {
  ASSERT_TRUE(is_ok(add_account("carol@example.test")));
  ASSERT_TRUE(is_ok(run(store_->create_alias("sales@example.test", {"carol@example.test"}))));
  ASSERT_TRUE(is_ok(run(store_->create_group("staff@example.test", ""))));
  EXPECT_TRUE(fails_with(run(store_->create_alias("carol@example.test", {"x@elsewhere.org"})), errc::already_exists));
  EXPECT_TRUE(fails_with(run(store_->create_group("carol@example.test", "")), errc::already_exists));
  EXPECT_TRUE(fails_with(add_account("sales@example.test"), errc::already_exists));
  EXPECT_TRUE(fails_with(run(store_->create_group("sales@example.test", "")), errc::already_exists));
  EXPECT_TRUE(fails_with(add_account("staff@example.test"), errc::already_exists));
  EXPECT_TRUE(fails_with(run(store_->create_alias("staff@example.test", {"carol@example.test"})), errc::already_exists));
}

TEST_F(identity_store, GroupMembersMustBeAccounts) {
  ASSERT_TRUE(is_ok(add_account("m1@example.test")));
  ASSERT_TRUE(is_ok(add_account("m2@example.test")));
  ASSERT_TRUE(is_ok(run(store_->create_alias("al@example.test", {"m1@example.test"}))));
  ASSERT_TRUE(is_ok(run(store_->create_group("g@example.test", "G"))));
  auto g = run(store_->add_group_member("g@example.test", "m1@example.test"));
  ASSERT_TRUE(is_ok(g));
  g = run(store_->add_group_member("g@example.test", "M2@example.test"));
  ASSERT_TRUE(is_ok(g));
  g = run(store_->add_group_member("g@example.test", "m2@example.test"));  // twice: still one membership
  ASSERT_TRUE(is_ok(g));
  EXPECT_EQ(g->members, (std::vector<std::string>{"m1@example.test", "m2@example.test"}));
  EXPECT_TRUE(fails_with(run(store_->add_group_member("g@example.test", "al@example.test")), errc::not_found));
  EXPECT_TRUE(fails_with(run(store_->add_group_member("g@example.test", "ghost@example.test")), errc::not_found));
  EXPECT_TRUE(fails_with(run(store_->add_group_member("nogroup@example.test", "m1@example.test")), errc::not_found));
  g = run(store_->remove_group_member("g@example.test", "m1@example.test"));
  ASSERT_TRUE(is_ok(g));
  EXPECT_EQ(g->members, std::vector<std::string>{"m2@example.test"});
  EXPECT_TRUE(fails_with(run(store_->remove_group_member("g@example.test", "m1@example.test")), errc::not_found));
  // Deleting a member account removes it from the group.
  ASSERT_TRUE(is_ok(run(store_->delete_account("m2@example.test"))));
  g = run(store_->get_group("g@example.test"));
  ASSERT_TRUE(is_ok(g));
  EXPECT_TRUE(g->members.empty());
}

TEST_F(identity_store, ConcurrentCreationOfOneAddressHasOneWinner) {
  int created = 0, duplicate = 0, other = 0;
  for (int i = 0; i < 8; ++i) {
    asio::co_spawn(io_, [&, i]() -> asio::awaitable<void> {
      result<void> r;
      if (i % 2 == 0) {
        identity::new_account spec{"race@example.test", "pw", "", 0, true};
        auto a = co_await store_->create_account(spec);
        if (!a) r = a.error();
      } else {
        std::vector<std::string> targets{"x@elsewhere.org"};  // not a braced list inside co_await (g++ 12)
        auto a = co_await store_->create_alias("race@example.test", std::move(targets));
        if (!a) r = a.error();
      }
      if (r) ++created;
      else if (r.error().code == errc::already_exists) ++duplicate;
      else ++other;
    }, asio::detached);
  }
  io_.restart();
  io_.run_for(std::chrono::seconds(60));
  EXPECT_EQ(created, 1);
  EXPECT_EQ(duplicate, 7);
  EXPECT_EQ(other, 0);
  EXPECT_EQ(sql("SELECT count(*) FROM addresses WHERE address = 'race@example.test'").i64(0, 0), 1);
}

TEST_F(identity_store, EveryMailboxGetsItsOwnUidvalidity) {
  // Two accounts a moment apart (the same second, almost always), and the
  // six folders of each (INBOX and mail.auto_folders), made by one statement
  // each: epoch seconds gave equal values.
  auto first = add_account("first@example.test");
  auto second = add_account("second@example.test");
  ASSERT_TRUE(is_ok(first));
  ASSERT_TRUE(is_ok(second));
  auto all = sql("SELECT count(*), count(DISTINCT uidvalidity), min(uidvalidity) FROM mailboxes");
  EXPECT_EQ(all.i64(0, 0), 12);
  EXPECT_EQ(all.i64(0, 1), 12);
  EXPECT_GT(all.i64(0, 2), 0);
  auto inbox = sql("SELECT a.address, m.uidvalidity FROM mailboxes m JOIN accounts a ON a.id = m.account_id "
                   "WHERE m.name = 'INBOX' ORDER BY a.id");
  ASSERT_EQ(inbox.size(), 2);
  EXPECT_EQ(inbox.str(0, 0), "first@example.test");
  EXPECT_LT(inbox.i64(0, 1), inbox.i64(1, 1));  // later mailboxes, greater values (RFC 3501 2.3.1.1)
  EXPECT_LE(inbox.i64(1, 1), 4294967295LL);     // a 32-bit nz-number
}

// Run in a process of its own (ctest integration_db_isolated): a crash here
// must not hide the results of the other tests.
using identity_password_isolated = identity_store;

TEST_F(identity_password_isolated, PasswordChangeReplacesTheSecrets) {
  ASSERT_TRUE(is_ok(add_account("pw@example.test", 777)));
  auto before = run(store_->find_credentials("pw@example.test"));
  ASSERT_TRUE(is_ok(before));
  identity::account_update change;
  change.password = "a new password";
  auto a = run(store_->update_account("pw@example.test", change));
  ASSERT_TRUE(is_ok(a));
  EXPECT_EQ(a->quota_bytes, 777);
  auto after = run(store_->find_credentials("pw@example.test"));
  ASSERT_TRUE(is_ok(after));
  EXPECT_NE((*after)->password_hash, (*before)->password_hash);
  EXPECT_NE((*after)->scram_json, (*before)->scram_json);
  identity::account_update empty;
  empty.password = "";
  EXPECT_TRUE(fails_with(run(store_->update_account("pw@example.test", empty)), errc::invalid_argument));
}

}  // namespace
}  // namespace posta::itest
