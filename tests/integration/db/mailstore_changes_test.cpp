// mail/store under concurrency against a real PostgreSQL: writers that
// neither deadlock nor miscount, NOTIFY for every change, the watcher
// that wakes sessions (bounded), and the change reads they share.
#include "mailstore_fixture.hpp"

#include "mail/store/change_feed.hpp"

namespace posta::itest {
namespace {

TEST_F(mailstore, ConcurrentWritersNeitherDeadlockNorMiscount) {
  auto inbox = box("INBOX");
  auto archive = box("Archive");
  auto trash = box("Trash");
  int failures = 0, finished = 0;
  auto note = [&](bool ok) { failures += ok ? 0 : 1; };
  mail::delivery::committer committer(*pool_, *blobs_);
  committer.start(io_.get_executor(), 1);
  auto delivering = [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 10; ++i) {
      auto ref = blobs_->put_blocking(i % 2 ? hello : "Subject: two\r\n\r\n2\r\n");
      mail::delivery::request req;
      req.blob = *ref;
      req.structure_json = "{}";
      req.sender = "x@remote.test";
      req.recipients.push_back({"ann@store.test", std::nullopt, std::nullopt});
      auto rep = co_await committer.deliver(req);
      note(rep && rep->delivered.size() == 1);
    }
    ++finished;
  };
  auto appending = [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 10; ++i) {
      auto in = co_await ms::ingest_text(i % 2 ? hello : "Subject: two\r\n\r\n2\r\n", *blobs_);
      std::vector<ms::append_item> items(1);
      items[0].blob = in->blob;
      items[0].structure_json = in->structure_json;
      auto r = co_await store_->append(i % 3 ? inbox : archive, items);
      note(static_cast<bool>(r));
    }
    ++finished;
  };
  auto shuffling = [&]() -> asio::awaitable<void> {
    ms::uid_set every = all();
    ms::flag_list deleted{"\\Deleted"};
    for (int i = 0; i < 10; ++i) {
      auto c = co_await store_->copy(inbox, every, archive.mailbox_id);
      note(static_cast<bool>(c));
      auto m = co_await store_->move(archive, every, trash.mailbox_id);
      note(static_cast<bool>(m));
      auto s = co_await store_->store_flags(trash, every, ms::store_mode::add, deleted);
      note(static_cast<bool>(s));
      auto e = co_await store_->expunge(trash);
      note(static_cast<bool>(e));
      auto e2 = co_await store_->expunge(inbox);
      note(static_cast<bool>(e2));
    }
    ++finished;
  };
  auto flagging = [&]() -> asio::awaitable<void> {
    ms::uid_set every = all();
    ms::flag_list deleted{"\\Deleted"};
    for (int i = 0; i < 20; ++i) {
      auto s = co_await store_->store_flags(inbox, every, i % 2 ? ms::store_mode::add : ms::store_mode::remove, deleted);
      note(static_cast<bool>(s));
    }
    ++finished;
  };
  asio::co_spawn(io_, delivering(), asio::detached);
  asio::co_spawn(io_, appending(), asio::detached);
  asio::co_spawn(io_, shuffling(), asio::detached);
  asio::co_spawn(io_, flagging(), asio::detached);
  run([&]() -> asio::awaitable<void> {
    asio::steady_timer t(io_);
    while (finished < 4) {
      t.expires_after(10ms);
      co_await t.async_wait(asio::use_awaitable);
    }
    committer.stop();
  }());
  EXPECT_EQ(finished, 4);
  EXPECT_EQ(failures, 0);
  auto wrong = sql("SELECT count(*) FROM blobs b WHERE refcount <> "
                   "(SELECT count(*) FROM messages m WHERE m.blob_hash = b.hash)");
  EXPECT_EQ(wrong.i64(0, 0), 0);
  auto usage = sql("SELECT a.used_messages = (SELECT count(*) FROM messages m JOIN mailboxes x ON x.id = m.mailbox_id "
                   "WHERE x.account_id = a.id), a.used_bytes = (SELECT coalesce(sum(size), 0) FROM messages m "
                   "JOIN mailboxes x ON x.id = m.mailbox_id WHERE x.account_id = a.id) FROM accounts a WHERE a.id = $1",
                   db::make_params(account_));
  EXPECT_TRUE(usage.boolean(0, 0));
  EXPECT_TRUE(usage.boolean(0, 1));
  // UIDs stay unique and below UIDNEXT in every mailbox.
  auto uids = sql("SELECT count(*) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE m.uid >= b.uidnext "
                  "OR m.modseq > b.highestmodseq");
  EXPECT_EQ(uids.i64(0, 0), 0);
}

TEST_F(mailstore, EveryChangeNotifiesItsMailbox) {
  auto inbox = box("INBOX");
  auto got = run([&]() -> asio::awaitable<std::vector<std::string>> {
    db::connection listener(io_.get_executor());
    std::vector<std::string> payloads;
    listener.on_notify([&](std::string const&, std::string const& p) { payloads.push_back(p); });
    auto ok = co_await listener.connect(conninfo_);
    if (ok) ok = co_await listener.execute("LISTEN posta_mailbox");
    if (!ok) co_return payloads;
    auto in = co_await ms::ingest_text(hello, *blobs_);
    std::vector<ms::append_item> items(1);
    items[0].blob = in->blob;
    items[0].structure_json = in->structure_json;
    auto appended = co_await store_->append(inbox, items);
    auto uid = appended->uids[0];
    ms::uid_set one{{uid, uid}};
    ms::flag_list deleted{"\\Deleted"};
    co_await store_->store_flags(inbox, one, ms::store_mode::add, deleted);
    co_await store_->expunge(inbox);
    // A round trip on the listening connection collects what arrived.
    while (payloads.size() < 3) {
      auto r = co_await listener.wait_for_notification();
      if (!r) break;
    }
    co_return payloads;
  }());
  auto id = std::to_string(inbox.mailbox_id);
  EXPECT_EQ(got, (std::vector<std::string>{id, id, id}));
}

// The notifier runs on a thread of its own, as in the server: its handler
// posts to the sessions' executor (io_ here). Its loop never ends by
// itself, so its io_context is stopped and destroyed before it.
TEST_F(mailstore, WatcherWakesTheSessionsOfAChangedMailbox) {
  auto inbox = box("INBOX");
  auto sent = box("Sent");
  auto nio = std::make_unique<asio::io_context>();
  auto notifier = std::make_unique<db::notifier>(nio->get_executor(), conninfo_);
  auto watcher = std::make_unique<ms::mailbox_watcher>(*notifier, 3);
  auto session = [&]() -> asio::awaitable<std::vector<bool>> {
    std::vector<bool> out;
    auto ex = co_await asio::this_coro::executor;
    auto w_inbox = watcher->watch_mailbox(inbox.mailbox_id, ex);
    auto w_sent = watcher->watch_mailbox(sent.mailbox_id, ex);
    asio::co_spawn(*nio, notifier->run(), asio::detached);
    std::thread listening([&] { nio->run(); });
    // The first connection wakes everyone (nothing may have been missed).
    out.push_back(co_await w_inbox->wait(30s));
    out.push_back(w_sent->take_change());
    auto in = co_await ms::ingest_text(hello, *blobs_);
    std::vector<ms::append_item> items(1);
    items[0].blob = in->blob;
    items[0].structure_json = in->structure_json;
    co_await store_->append(inbox, items);
    out.push_back(co_await w_inbox->wait(30s));
    out.push_back(w_sent->take_change());  // nothing for Sent
    out.push_back(watcher->watches() == 2);
    nio->stop();
    listening.join();
    co_return out;
  };
  auto result_of = run(session());
  nio.reset();
  EXPECT_EQ(result_of, (std::vector<bool>{true, true, true, false, true}));
}

TEST_F(mailstore, WatchesAreBounded) {
  db::notifier notifier(io_.get_executor(), conninfo_);
  ms::mailbox_watcher watcher(notifier, 1);
  auto first = watcher.watch_mailbox(1, io_.get_executor());
  ASSERT_TRUE(is_ok(first));
  EXPECT_TRUE(fails_with(watcher.watch_mailbox(2, io_.get_executor()), ms::store_errc::limit));
  first->~watch();
  new (&*first) ms::mailbox_watcher::watch();
  EXPECT_TRUE(is_ok(watcher.watch_mailbox(2, io_.get_executor())));
}

// The feed answers as changes_since does once a change was announced, from
// memory until the next announcement, and never another account.
TEST_F(mailstore, SharedChangeReadsFollowAnnouncements) {
  auto inbox = box("INBOX");
  ms::change_feed feed(*store_);
  auto const same = [](ms::changes const& a, ms::changes const& b) {
    if (a.highestmodseq != b.highestmodseq || a.uidnext != b.uidnext || a.expunged != b.expunged ||
        a.changed.size() != b.changed.size())
      return false;
    for (std::size_t i = 0; i < a.changed.size(); ++i)
      if (a.changed[i].uid != b.changed[i].uid || a.changed[i].modseq != b.changed[i].modseq ||
          a.changed[i].flags != b.changed[i].flags)
        return false;
    return true;
  };
  auto const since = [&](std::int64_t s) { return run(feed.changes_since(inbox, s)); };
  auto const direct = [&](std::int64_t s) { return run(store_->changes_since(inbox, s)); };
  auto start = direct(0)->highestmodseq;
  ASSERT_TRUE(same(*since(start), *direct(start)));
  auto first = append("INBOX", hello);
  // Not announced yet: the node's last read still answers.
  EXPECT_EQ(since(start)->uidnext, direct(start)->uidnext - 1);
  feed.invalidate(inbox.mailbox_id);
  EXPECT_TRUE(same(*since(start), *direct(start)));
  auto second = append("INBOX", hello);
  run(store_->store_flags(inbox, {{first, first}}, ms::store_mode::add, {"\\Deleted"}));
  run(store_->expunge(inbox));
  feed.invalidate(inbox.mailbox_id);
  // Every MODSEQ from the first read on gets what a fresh read would say.
  auto const now = direct(start)->highestmodseq;
  for (auto s = start; s <= now; ++s) EXPECT_TRUE(same(*since(s), *direct(s))) << s;
  auto late = since(start);
  EXPECT_EQ(late->expunged, (std::vector<ms::uid_t>{first}));
  ASSERT_EQ(late->changed.size(), 1u);
  EXPECT_EQ(late->changed[0].uid, second);
  // Another account asking about this mailbox id hears that it does not exist.
  EXPECT_TRUE(fails_with(run(feed.changes_since({inbox.account_id + 1000, inbox.mailbox_id}, start)),
                         ms::store_errc::nonexistent));
}

}  // namespace
}  // namespace posta::itest
