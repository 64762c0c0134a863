// DKIM keys of domains (core/identity/dkim.hpp) in PostgreSQL: made with the
// domain in one transaction, rotated to a new selector with the old one
// retired, opened only with the server secret and only in their own row.
#include "db_fixture.hpp"

#include "core/identity/store.hpp"

namespace posta::itest {
namespace {

class dkim_keys_store : public db_test {
 protected:
  void SetUp() override {
    db_test::SetUp();
    store_ = std::make_unique<identity::store>(*pool_);
    keys_ = std::make_unique<identity::dkim_keys>(*pool_, "server-secret-of-this-test-0123456789");
  }

  std::string month() { return sql("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYYMM')").str(0, 0); }

  std::unique_ptr<identity::store> store_;
  std::unique_ptr<identity::dkim_keys> keys_;
};

TEST_F(dkim_keys_store, a_new_domain_gets_a_key_that_opens) {
  auto d = run(store_->create_domain("Signed.Example", "", keys_.get()));
  ASSERT_TRUE(is_ok(d));
  ASSERT_TRUE(d->dkim);
  EXPECT_EQ(d->dkim->selector, "posta" + month());
  EXPECT_TRUE(d->dkim->public_key.starts_with("MIIBIjAN"));
  auto key = run(keys_->signing_key("signed.example"));
  ASSERT_TRUE(is_ok(key));
  ASSERT_TRUE(key->has_value());
  EXPECT_EQ((*key)->selector, d->dkim->selector);
  EXPECT_TRUE((*key)->private_key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
  // The list shows it too.
  auto all = run(store_->list_domains());
  ASSERT_TRUE(is_ok(all));
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front().dkim->selector, d->dkim->selector);
}

TEST_F(dkim_keys_store, without_keys_a_domain_has_none_until_rotated) {
  ASSERT_TRUE(is_ok(run(store_->create_domain("plain.example", ""))));
  EXPECT_FALSE(run(store_->get_domain("plain.example"))->dkim);
  EXPECT_FALSE(run(keys_->signing_key("plain.example"))->has_value());
  auto first = run(keys_->rotate("plain.example"));
  ASSERT_TRUE(is_ok(first));
  EXPECT_EQ(first->selector, "posta" + month());
  EXPECT_TRUE(run(keys_->signing_key("plain.example"))->has_value());
  EXPECT_TRUE(fails_with(run(keys_->rotate("nowhere.example")), errc::not_found));
}

TEST_F(dkim_keys_store, rotation_retires_the_old_key_and_never_reuses_a_selector) {
  ASSERT_TRUE(is_ok(run(store_->create_domain("rot.example", "", keys_.get()))));
  auto second = run(keys_->rotate("rot.example"));
  auto third = run(keys_->rotate("ROT.example"));
  ASSERT_TRUE(is_ok(second) && is_ok(third));
  EXPECT_EQ(second->selector, "posta" + month() + "-2");
  EXPECT_EQ(third->selector, "posta" + month() + "-3");
  auto rows = sql("SELECT selector, retired_at IS NULL FROM dkim_keys ORDER BY id");
  ASSERT_EQ(rows.size(), 3);
  EXPECT_FALSE(rows.boolean(0, 1));
  EXPECT_FALSE(rows.boolean(1, 1));
  EXPECT_TRUE(rows.boolean(2, 1));
  EXPECT_EQ(run(store_->get_domain("rot.example"))->dkim->selector, third->selector);
  EXPECT_EQ((*run(keys_->signing_key("rot.example")))->selector, third->selector);
}

TEST_F(dkim_keys_store, concurrent_rotations_leave_one_active_key) {
  ASSERT_TRUE(is_ok(run(store_->create_domain("race.example", "", keys_.get()))));
  auto a = asio::co_spawn(io_, keys_->rotate("race.example"), asio::use_future);
  auto b = asio::co_spawn(io_, keys_->rotate("race.example"), asio::use_future);
  EXPECT_TRUE(is_ok(run(keys_->rotate("race.example"))));
  auto ra = a.get();
  auto rb = b.get();
  EXPECT_TRUE(is_ok(ra));
  EXPECT_TRUE(is_ok(rb));
  EXPECT_EQ(sql("SELECT count(*) FROM dkim_keys WHERE retired_at IS NULL").i64(0, 0), 1);
  EXPECT_EQ(sql("SELECT count(DISTINCT selector) FROM dkim_keys").i64(0, 0), 4);
}

TEST_F(dkim_keys_store, a_key_opens_only_in_its_own_row_and_with_its_secret) {
  ASSERT_TRUE(is_ok(run(store_->create_domain("one.example", "", keys_.get()))));
  ASSERT_TRUE(is_ok(run(store_->create_domain("two.example", "", keys_.get()))));
  // Another server secret (a copied database without the data folder): nothing opens.
  identity::dkim_keys stranger(*pool_, "another-secret-0123456789abcdef");
  EXPECT_TRUE(fails_with(run(stranger.signing_key("one.example")), errc::permission_denied));
  // one.example's sealed key put into two.example's row does not open there.
  sql("UPDATE dkim_keys SET private_key = (SELECT k.private_key FROM dkim_keys k JOIN domains d ON d.id = k.domain_id "
      "WHERE d.name = 'one.example') WHERE domain_id = (SELECT id FROM domains WHERE name = 'two.example')");
  EXPECT_TRUE(fails_with(run(keys_->signing_key("two.example")), errc::permission_denied));
  EXPECT_TRUE(is_ok(run(keys_->signing_key("one.example"))));
}

TEST_F(dkim_keys_store, deleting_the_domain_deletes_its_keys) {
  ASSERT_TRUE(is_ok(run(store_->create_domain("gone.example", "", keys_.get()))));
  ASSERT_TRUE(is_ok(run(keys_->rotate("gone.example"))));
  ASSERT_TRUE(is_ok(run(store_->delete_domain("gone.example"))));
  EXPECT_EQ(sql("SELECT count(*) FROM dkim_keys").i64(0, 0), 0);
}

}  // namespace
}  // namespace posta::itest
