// The fixture of the mail/store tests: a real PostgreSQL, an identity store
// with accounts, a blob store and the mailbox store, with helpers to append
// and read messages.
#pragma once

#include "db_fixture.hpp"

#include "core/blob/blob_store.hpp"
#include "core/db/notifier.hpp"
#include "core/identity/auto_folders.hpp"
#include "core/identity/store.hpp"
#include "core/settings/settings.hpp"
#include "mail/delivery/committer.hpp"
#include "mail/store/ingest.hpp"
#include "mail/store/mailbox_store.hpp"
#include "mail/store/watcher.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>

#include <thread>

namespace posta::itest {

namespace ms = mail::store;
using namespace std::chrono_literals;
using itest::fails_with;

template <class T>
::testing::AssertionResult fails_with(result<T> const& r, ms::store_errc code) {
  if (r) return ::testing::AssertionFailure() << "succeeded, expected " << ms::make_error_code(code).message();
  if (ms::is(r.error(), code)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "failed with '" << r.error().message() << "', expected "
                                       << ms::make_error_code(code).message();
}

class mailstore : public db_test {
 protected:
  void SetUp() override {
    db_test::SetUp();
    blobs_ = std::make_unique<blob::store>(scratch_dir() / ("blobs-" + db_name_));
    ASSERT_TRUE(is_ok(blobs_->open_blocking()));
    store_ = std::make_unique<ms::mailbox_store>(*pool_, *blobs_);
    identity_ = std::make_unique<identity::store>(*pool_);
    ASSERT_TRUE(is_ok(run(identity_->create_domain("store.test", ""))));
    account_ = add_account("ann@store.test");
  }

  std::int64_t add_account(std::string address, std::int64_t quota = 0) {
    identity::new_account spec;
    spec.address = std::move(address);
    spec.password = "correct horse";
    spec.quota_bytes = quota;
    auto a = run(identity_->create_account(spec));
    EXPECT_TRUE(is_ok(a));
    return a ? a->id : 0;
  }

  ms::mailbox_ref box(std::string const& name) {
    auto found = run(store_->find(account_, name));
    EXPECT_TRUE(is_ok(found)) << name;
    return {account_, found ? found->id : 0};
  }

  // APPENDs `text` to `name` with `flags`; returns the UID.
  ms::uid_t append(std::string const& name, std::string const& text, ms::flag_list flags = {}) {
    auto r = append_result(box(name), text, std::move(flags));
    EXPECT_TRUE(is_ok(r));
    return r && !r->uids.empty() ? r->uids[0] : 0;
  }
  result<ms::append_result> append_result(ms::mailbox_ref b, std::string const& text, ms::flag_list flags = {}) {
    return run([&]() -> asio::awaitable<result<ms::append_result>> {
      POSTA_CO_TRY_ASSIGN(auto in, co_await ms::ingest_text(text, *blobs_));
      std::vector<ms::append_item> items(1);
      items[0].blob = in.blob;
      items[0].structure_json = in.structure_json;
      items[0].flags = flags;
      items[0].internal_date = 1700000000;
      co_return co_await store_->append(b, std::move(items));
    }());
  }

  std::int64_t refcount(std::string const& hash) {
    auto r = sql("SELECT refcount FROM blobs WHERE hash = $1", db::make_params(hash));
    return r.empty() ? -1 : r.i64(0, 0);
  }

  std::vector<std::string> names() {
    auto all = run(store_->list(account_));
    EXPECT_TRUE(is_ok(all));
    std::vector<std::string> out;
    if (all)
      for (auto const& m : *all) out.push_back(m.name + (m.noselect ? " \\Noselect" : ""));
    return out;
  }

  static ms::uid_set all() { return {{1, 4294967295u}}; }

  std::unique_ptr<blob::store> blobs_;
  std::unique_ptr<ms::mailbox_store> store_;
  std::unique_ptr<identity::store> identity_;
  std::int64_t account_ = 0;
};

constexpr char const* hello = "From: a@b.test\r\nSubject: hello\r\n\r\nHello, world.\r\n";

}  // namespace posta::itest
