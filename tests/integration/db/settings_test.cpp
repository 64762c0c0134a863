// core/settings::store against a real PostgreSQL: defaults, typed overrides
// that persist and reach other stores (NOTIFY posta_settings), validation.
#include "db_fixture.hpp"

#include "core/settings/settings.hpp"

#include <boost/json.hpp>

namespace posta::itest {
namespace {

namespace json = boost::json;

class settings_store : public db_test {
 protected:
  void SetUp() override {
    db_test::SetUp();
    store_ = std::make_unique<settings::store>(*pool_);
    ASSERT_TRUE(is_ok(run(store_->reload())));
  }
  result<void> set(std::string key, json::value v) { return run(store_->set(key, v)); }
  std::unique_ptr<settings::store> store_;
};

TEST_F(settings_store, DefaultsWithoutOverrides) {
  EXPECT_EQ(store_->get_int("smtp.max_recipients"), 100);
  EXPECT_FALSE(store_->get_bool("smtp.allow_plaintext_auth_on_loopback"));
  EXPECT_EQ(store_->get_string("auth.default_domain"), "");
  EXPECT_TRUE(store_->get_list("smtp.trusted_networks").empty());
  EXPECT_FALSE(store_->is_overridden("smtp.max_recipients"));
  EXPECT_TRUE(store_->get("no.such.key").is_null());
}

TEST_F(settings_store, SetAppliesAndPersistsEveryType) {
  ASSERT_TRUE(is_ok(set("smtp.max_recipients", 250)));
  ASSERT_TRUE(is_ok(set("smtp.allow_plaintext_auth_on_loopback", true)));
  ASSERT_TRUE(is_ok(set("auth.default_domain", "example.test")));
  ASSERT_TRUE(is_ok(set("smtp.trusted_networks", json::array{"10.0.0.0/8", "192.0.2.1"})));
  EXPECT_EQ(store_->get_int("smtp.max_recipients"), 250);
  EXPECT_TRUE(store_->get_bool("smtp.allow_plaintext_auth_on_loopback"));
  EXPECT_EQ(store_->get_string("auth.default_domain"), "example.test");
  EXPECT_EQ(store_->get_list("smtp.trusted_networks"), (std::vector<std::string>{"10.0.0.0/8", "192.0.2.1"}));
  EXPECT_TRUE(store_->is_overridden("smtp.max_recipients"));

  // Another node (another store on the same database) reads the same values.
  settings::store other(*pool_);
  ASSERT_TRUE(is_ok(run(other.reload())));
  EXPECT_EQ(other.get_int("smtp.max_recipients"), 250);
  EXPECT_EQ(other.get_list("smtp.trusted_networks").size(), 2u);
  auto row = sql("SELECT value::text FROM settings WHERE key = 'smtp.max_recipients'");
  ASSERT_EQ(row.size(), 1);
  EXPECT_EQ(row.str(0, 0), "250");
}

TEST_F(settings_store, ValidationRefusesAndKeepsTheOldValue) {
  ASSERT_TRUE(is_ok(set("smtp.max_message_size_mb", 30)));
  struct bad_case {
    char const* key;
    json::value value;
    errc code;
  };
  std::vector<bad_case> cases = {
      {"smtp.max_message_size_mb", json::value("31"), errc::invalid_argument},
      {"smtp.max_message_size_mb", json::value(1.5), errc::invalid_argument},
      {"smtp.max_message_size_mb", json::value(-1), errc::invalid_argument},
      {"smtp.max_message_size_mb", json::value(true), errc::invalid_argument},
      {"smtp.max_message_size_mb", json::value(nullptr), errc::invalid_argument},
      {"blobs.gc_grace_seconds", json::value(59), errc::invalid_argument},
      {"smtp.allow_plaintext_auth_on_loopback", json::value(1), errc::invalid_argument},
      {"smtp.trusted_networks", json::value("10.0.0.0/8"), errc::invalid_argument},
      {"smtp.trusted_networks", json::value(json::array{1}), errc::invalid_argument},
      {"auth.default_domain", json::value(json::array{"x"}), errc::invalid_argument},
      {"auth.default_domain", json::value(json::string(5000, 'x')), errc::invalid_argument},
      {"no.such.key", json::value(1), errc::not_found},
  };
  for (auto const& c : cases) {
    SCOPED_TRACE(std::string(c.key) + " = " + json::serialize(c.value));
    EXPECT_TRUE(fails_with(set(c.key, c.value), c.code));
  }
  EXPECT_EQ(store_->get_int("smtp.max_message_size_mb"), 30);
  EXPECT_EQ(sql("SELECT count(*) FROM settings").i64(0, 0), 1);
}

TEST_F(settings_store, ChangeCallbacksFireOnlyOnChange) {
  int calls = 0;
  store_->on_change([&] { ++calls; });
  ASSERT_TRUE(is_ok(set("smtp.max_recipients", 5)));
  EXPECT_EQ(calls, 1);
  ASSERT_TRUE(is_ok(run(store_->reload())));
  EXPECT_EQ(calls, 1);
  ASSERT_TRUE(is_ok(set("smtp.max_recipients", 6)));
  EXPECT_EQ(calls, 2);
}

TEST_F(settings_store, SetNotifiesOtherNodes) {
  auto heard = run([&]() -> asio::awaitable<result<std::string>> {
    db::connection listener(io_.get_executor());
    std::string payload;
    listener.on_notify([&](std::string const& channel, std::string const& p) {
      if (channel == settings::notify_channel) payload = p;
    });
    POSTA_CO_TRY(co_await listener.connect(conninfo_));
    POSTA_CO_TRY(co_await listener.execute(std::string("LISTEN ") + settings::notify_channel));
    POSTA_CO_TRY(co_await store_->set("smtp.max_recipients", 9));
    while (payload.empty()) POSTA_CO_TRY(co_await listener.wait_for_notification());
    co_return payload;
  }(), std::chrono::seconds(30));
  ASSERT_TRUE(is_ok(heard));
  EXPECT_EQ(*heard, "smtp.max_recipients");
}

TEST_F(settings_store, DamagedOrUnknownRowsFallBackToDefaults) {
  sql("INSERT INTO settings(key, value) VALUES ('smtp.max_recipients', '\"lots\"'::jsonb), "
      "('from.a.newer.version', '1'::jsonb)");
  ASSERT_TRUE(is_ok(run(store_->reload())));
  EXPECT_EQ(store_->get_int("smtp.max_recipients"), 100);
  EXPECT_FALSE(store_->is_overridden("smtp.max_recipients"));
}

}  // namespace
}  // namespace posta::itest
