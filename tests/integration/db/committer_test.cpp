// The committer's idempotency against a real PostgreSQL (schema/004): a
// delivery handed over again with the id of one already committed (what a
// retry after a COMMIT of unknown outcome is) reports the committed outcome
// and stores no second copy.
#include "db_fixture.hpp"

#include "core/blob/blob_store.hpp"
#include "mail/delivery/committer.hpp"

namespace posta::itest {
namespace {

using committer = db_test;

TEST_F(committer, ADeliveryIdIsCommittedOnce) {
  sql("INSERT INTO domains(name) VALUES ('idem.test')");
  sql("INSERT INTO addresses(address, domain_id, kind) SELECT 'ann@idem.test', id, 'account' FROM domains");
  sql("INSERT INTO accounts(address, domain_id) SELECT 'ann@idem.test', id FROM domains");
  auto dir = scratch_dir() / ("blobs-" + db_name_);
  blob::store blobs(dir);
  ASSERT_TRUE(is_ok(blobs.open_blocking()));
  auto ref = blobs.put_blocking("Subject: once\r\n\r\nonce\r\n");
  ASSERT_TRUE(is_ok(ref));

  mail::delivery::request req;
  req.blob = *ref;
  req.structure_json = "{}";
  req.sender = "x@remote.test";
  req.recipients.push_back({"ann@idem.test", std::nullopt, std::nullopt});
  req.delivery_id = "itest-delivery-1";
  // Returns how many copies each delivery reported (-1: it failed). The
  // committer's workers end with stop(), so run() returns when this does.
  auto deliver_all = [&](std::vector<mail::delivery::request> reqs) -> asio::awaitable<std::vector<int>> {
    mail::delivery::committer c(*pool_, blobs);
    c.start(io_.get_executor(), 1);
    std::vector<int> out;
    for (auto const& r : reqs) {
      auto rep = co_await c.deliver(r);
      out.push_back(rep ? static_cast<int>(rep->delivered.size()) : -1);
    }
    c.stop();
    co_return out;
  };
  EXPECT_EQ(run(deliver_all({req, req})), (std::vector<int>{1, 1}));
  EXPECT_EQ(sql("SELECT count(*) FROM messages").i64(0, 0), 1);
  EXPECT_EQ(sql("SELECT count(*) FROM deliveries WHERE id = 'itest-delivery-1'").i64(0, 0), 1);
  // A new id is a new message.
  req.delivery_id.clear();
  EXPECT_EQ(run(deliver_all({req})), (std::vector<int>{1}));
  EXPECT_EQ(sql("SELECT count(*) FROM messages").i64(0, 0), 2);
}

}  // namespace
}  // namespace posta::itest
