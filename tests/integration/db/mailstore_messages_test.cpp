// mail/store's messages against a real PostgreSQL: APPEND and STATUS, FETCH
// metadata and byte ranges (inline and file bodies), STORE with
// UNCHANGEDSINCE and bounded keywords, EXPUNGE records, POP3's QUIT, COPY
// sharing blobs and MOVE, quota (storage and message), the SELECT snapshot.
#include "mailstore_fixture.hpp"
#include "mail/store/body_cache.hpp"

namespace posta::itest {
namespace {

TEST_F(mailstore, AppendAssignsUidsAndStatusCountsThem) {
  auto inbox = box("INBOX");
  auto empty = run(store_->status(inbox));
  ASSERT_TRUE(is_ok(empty));
  EXPECT_EQ(empty->messages, 0);
  EXPECT_EQ(empty->uidnext, 1);
  auto r1 = append_result(inbox, hello, {"\\Seen", "$Label1"});
  ASSERT_TRUE(is_ok(r1));
  EXPECT_EQ(r1->uidvalidity, empty->uidvalidity);
  EXPECT_EQ(r1->uids, (std::vector<ms::uid_t>{1}));
  auto uid2 = append("INBOX", std::string(hello) + "more\r\n", {"\\deleted"});
  EXPECT_EQ(uid2, 2u);
  auto st = run(store_->status(inbox));
  ASSERT_TRUE(is_ok(st));
  EXPECT_EQ(st->messages, 2);
  EXPECT_EQ(st->uidnext, 3);
  EXPECT_EQ(st->unseen, 1);
  EXPECT_EQ(st->deleted, 1);
  EXPECT_EQ(st->size, static_cast<std::int64_t>(2 * std::string(hello).size() + 6));
  EXPECT_EQ(st->highestmodseq, empty->highestmodseq + 2);
  auto snap = run(store_->select(inbox));
  ASSERT_TRUE(is_ok(snap));
  EXPECT_EQ(snap->keywords, (ms::flag_list{"$Label1"}));
  ASSERT_EQ(snap->uids.size(), 2u);
  EXPECT_EQ(snap->flag_sets[snap->flag_set[0]], (ms::flag_list{"\\Seen", "$Label1"}));
  EXPECT_EQ(snap->flag_sets[snap->flag_set[1]], (ms::flag_list{"\\Deleted"}));
  EXPECT_EQ(snap->modseqs[1], snap->highestmodseq);
  // Unknown system flags are refused, nothing is stored.
  EXPECT_TRUE(fails_with(append_result(inbox, hello, {"\\Bogus"}), errc::invalid_argument));
  EXPECT_TRUE(fails_with(run(store_->select({account_, 999999})), ms::store_errc::nonexistent));
  // Another account's mailbox is not found through this account.
  auto bob = add_account("bob@store.test");
  EXPECT_TRUE(fails_with(run(store_->status({bob, inbox.mailbox_id})), ms::store_errc::nonexistent));
}

TEST_F(mailstore, FetchGivesMetadataAndRangesOfTheServedMessage) {
  sql("UPDATE messages SET header_prefix = ''");
  auto uid = append("INBOX", hello, {"\\Flagged"});
  // A copy as delivery makes it: Return-Path/Delivered-To served first.
  std::string prefix = "Return-Path: <x@y.test>\r\n";
  sql("UPDATE messages SET header_prefix = $1, size = size + $2", db::make_params(prefix, static_cast<std::int64_t>(prefix.size())));
  auto inbox = box("INBOX");
  auto meta = run(store_->fetch(inbox, {{uid, uid}, {uid, uid + 5}}));
  ASSERT_TRUE(is_ok(meta));
  ASSERT_EQ(meta->size(), 1u);
  auto const& m = (*meta)[0];
  EXPECT_EQ(m.uid, uid);
  EXPECT_EQ(m.flags, (ms::flag_list{"\\Flagged"}));
  EXPECT_EQ(m.internal_date, 1700000000);
  auto full = prefix + hello;
  EXPECT_EQ(m.size, static_cast<std::int64_t>(full.size()));
  ASSERT_TRUE(m.parsed);
  EXPECT_NE(m.parsed->structure().env.subject.value_or("").find("hello"), std::string::npos);
  EXPECT_EQ(run(store_->read(m)).value(), full);
  EXPECT_EQ(run(store_->read(m, 10, 30)).value(), full.substr(10, 30));  // across the prefix end
  EXPECT_EQ(run(store_->read(m, 30, 8)).value(), full.substr(30, 8));    // blob only
  EXPECT_EQ(run(store_->read(m, 0, 5)).value(), full.substr(0, 5));      // prefix only
  EXPECT_EQ(run(store_->read(m, 1000, 5)).value(), "");
  auto lean = run(store_->fetch(inbox, all(), false));
  EXPECT_FALSE((*lean)[0].parsed);
  // The structure is parsed once per body: a second FETCH shares it.
  auto again = run(store_->fetch(inbox, all()));
  EXPECT_EQ((*again)[0].parsed.get(), m.parsed.get());
  EXPECT_EQ(store_->cache().entries(), 1u);
}

TEST_F(mailstore, ReadsTheSameBytesWithAndWithoutTheBodyCache) {
  std::string const text = "Subject: cached\r\nFrom: a@b.test\r\n\r\nbody text\r\n";
  append("INBOX", text);
  auto inbox = box("INBOX");
  auto cached = run(store_->fetch(inbox, all())).value();
  store_->set_cache_bytes(0);
  auto uncached = run(store_->fetch(inbox, all())).value();
  ASSERT_EQ(cached.size(), 1u);
  EXPECT_EQ(store_->cache().entries(), 0u);
  EXPECT_NE(cached[0].parsed.get(), uncached[0].parsed.get());
  // Ranges inside the header (served from the cached header bytes), across
  // its end and in the body (read from the blob).
  for (auto [offset, length] : {std::pair{0, -1}, {0, 20}, {20, 15}, {40, 30}, {5, 1000}}) {
    auto const expected = text.substr(offset, length < 0 ? std::string::npos : static_cast<std::size_t>(length));
    EXPECT_EQ(run(store_->read(cached[0], offset, length)).value(), expected) << offset << "+" << length;
    EXPECT_EQ(run(store_->read(uncached[0], offset, length)).value(), expected) << offset << "+" << length;
  }
}

TEST_F(mailstore, RangesOfAFileBodyAreReadFromTheFile) {
  blobs_->set_inline_max_bytes(0);
  std::string big = "Subject: big\r\n\r\n" + std::string(200000, 'x') + "END\r\n";
  auto uid = append("INBOX", big);
  auto hash = sql("SELECT blob_hash FROM messages").str(0, 0);
  EXPECT_TRUE(sql("SELECT body IS NULL FROM blobs WHERE hash = $1", db::make_params(hash)).boolean(0, 0));
  auto meta = run(store_->fetch(box("INBOX"), {{uid, uid}}));
  EXPECT_EQ(run(store_->read((*meta)[0], static_cast<std::int64_t>(big.size()) - 5, 100)).value(), "END\r\n");
}

TEST_F(mailstore, StoreBumpsModseqAndHonoursUnchangedSince) {
  auto inbox = box("INBOX");
  auto u1 = append("INBOX", hello);
  auto u2 = append("INBOX", hello);
  auto u3 = append("INBOX", hello, {"\\Seen"});
  auto start = run(store_->select(inbox));
  auto h0 = start->highestmodseq;
  auto r = run(store_->store_flags(inbox, {{u1, u3}}, ms::store_mode::add, {"\\Seen"}));
  ASSERT_TRUE(is_ok(r));
  ASSERT_EQ(r->modified.size(), 2u);  // u3 had it already
  EXPECT_EQ(r->modified[0].uid, u1);
  EXPECT_EQ(r->modified[0].modseq, h0 + 1);
  EXPECT_EQ(r->modified[1].modseq, h0 + 2);
  EXPECT_EQ(r->unchanged.size(), 1u);
  EXPECT_EQ(r->highestmodseq, h0 + 2);
  // UNCHANGEDSINCE older than u1's and u2's change: they fail, u3 changes.
  auto cond = run(store_->store_flags(inbox, {{u1, u3}}, ms::store_mode::add, {"\\Flagged"}, h0));
  ASSERT_TRUE(is_ok(cond));
  EXPECT_EQ(cond->failed, (std::vector<ms::uid_t>{u1, u2}));
  ASSERT_EQ(cond->modified.size(), 1u);
  EXPECT_EQ(cond->modified[0].uid, u3);
  EXPECT_EQ(cond->modified[0].flags, (ms::flag_list{"\\Seen", "\\Flagged"}));
  auto rm = run(store_->store_flags(inbox, {{u3, u3}}, ms::store_mode::remove, {"\\SEEN"}));
  EXPECT_EQ(rm->modified[0].flags, (ms::flag_list{"\\Flagged"}));
  auto rep = run(store_->store_flags(inbox, {{u2, u2}}, ms::store_mode::replace, {"Work", "\\Draft"}));
  EXPECT_EQ(rep->modified[0].flags, (ms::flag_list{"\\Draft", "Work"}));
  auto ch = run(store_->changes_since(inbox, h0 + 2));
  ASSERT_TRUE(is_ok(ch));
  ASSERT_EQ(ch->changed.size(), 2u);  // u2 and u3 changed after h0+2
  EXPECT_EQ(ch->changed[0].uid, u2);
  EXPECT_EQ(ch->highestmodseq, rep->highestmodseq);
  EXPECT_EQ(ch->keywords, (ms::flag_list{"Work"}));
  EXPECT_TRUE(fails_with(run(store_->store_flags(inbox, all(), ms::store_mode::add, {"bad(keyword"})),
                         errc::invalid_argument));
}

TEST_F(mailstore, KeywordsPerMailboxAreBounded) {
  ms::store_limits limits;
  limits.flags.max_mailbox_keywords = 2;
  ms::mailbox_store small(*pool_, *blobs_, limits);
  auto inbox = box("INBOX");
  auto uid = append("INBOX", hello);
  ASSERT_TRUE(is_ok(run(small.store_flags(inbox, {{uid, uid}}, ms::store_mode::add, {"k1", "k2"}))));
  EXPECT_TRUE(fails_with(run(small.store_flags(inbox, {{uid, uid}}, ms::store_mode::add, {"k3"})), ms::store_errc::limit));
  EXPECT_EQ(run(small.select(inbox))->flag_sets.back(), (ms::flag_list{"k1", "k2"}));
}

TEST_F(mailstore, ExpungeRemovesDeletedAndRecordsVanished) {
  auto inbox = box("INBOX");
  auto u1 = append("INBOX", hello, {"\\Deleted"});
  auto u2 = append("INBOX", "Subject: two\r\n\r\n2\r\n");
  auto u3 = append("INBOX", "Subject: three\r\n\r\n3\r\n", {"\\Deleted"});
  auto h_before = run(store_->select(inbox))->highestmodseq;
  auto hash1 = sql("SELECT blob_hash FROM messages WHERE uid = $1", db::make_params(static_cast<std::int64_t>(u1))).str(0, 0);
  // UID EXPUNGE limited to u3.
  auto only = run(store_->expunge(inbox, ms::uid_set{{u3, u3}}));
  ASSERT_TRUE(is_ok(only));
  EXPECT_EQ(only->uids, (std::vector<ms::uid_t>{u3}));
  EXPECT_EQ(only->modseq, h_before + 1);
  auto rest = run(store_->expunge(inbox));
  ASSERT_TRUE(is_ok(rest));
  EXPECT_EQ(rest->uids, (std::vector<ms::uid_t>{u1}));
  EXPECT_EQ(refcount(hash1), 0);  // the reference came back
  auto nothing = run(store_->expunge(inbox));
  EXPECT_TRUE(nothing->uids.empty());
  auto snap = run(store_->select(inbox));
  EXPECT_EQ(snap->uids, (std::vector<ms::uid_t>{u2}));
  EXPECT_EQ(snap->highestmodseq, h_before + 2);
  auto since = run(store_->changes_since(inbox, h_before));
  EXPECT_EQ(since->expunged, (std::vector<ms::uid_t>{u1, u3}));
  EXPECT_TRUE(since->changed.empty());
  auto later = run(store_->changes_since(inbox, h_before + 1));
  EXPECT_EQ(later->expunged, (std::vector<ms::uid_t>{u1}));
  EXPECT_EQ(sql("SELECT used_messages FROM accounts WHERE id = $1", db::make_params(account_)).i64(0, 0), 1);
}

TEST_F(mailstore, Pop3QuitRemovesItsMessagesWhateverTheirFlags) {
  auto inbox = box("INBOX");
  auto u1 = append("INBOX", hello);
  auto u2 = append("INBOX", "Subject: two\r\n\r\n2\r\n", {"\\Deleted"});
  auto u3 = append("INBOX", "Subject: three\r\n\r\n3\r\n");
  auto h = run(store_->status(inbox))->highestmodseq;
  auto gone = run(store_->expunge_uids(inbox, {{u1, u1}, {u3, u3}}));
  ASSERT_TRUE(is_ok(gone));
  EXPECT_EQ(gone->uids, (std::vector<ms::uid_t>{u1, u3}));
  EXPECT_EQ(run(store_->select(inbox))->uids, (std::vector<ms::uid_t>{u2}));
  EXPECT_EQ(run(store_->changes_since(inbox, h))->expunged, (std::vector<ms::uid_t>{u1, u3}));
}

TEST_F(mailstore, CopySharesTheBlobAndMoveExpungesTheSource) {
  auto inbox = box("INBOX");
  auto archive = box("Archive");
  auto u1 = append("INBOX", hello, {"\\Seen", "Work"});
  auto u2 = append("INBOX", "Subject: two\r\n\r\n2\r\n");
  auto hash = sql("SELECT blob_hash FROM messages WHERE uid = $1", db::make_params(static_cast<std::int64_t>(u1))).str(0, 0);
  auto copied = run(store_->copy(inbox, {{u1, u2}, {u2, 99}}, archive.mailbox_id));
  ASSERT_TRUE(is_ok(copied));
  EXPECT_EQ(copied->uidvalidity, run(store_->status(archive))->uidvalidity);
  EXPECT_EQ(copied->source_uids, (std::vector<ms::uid_t>{u1, u2}));
  EXPECT_EQ(copied->dest_uids, (std::vector<ms::uid_t>{1, 2}));
  EXPECT_EQ(refcount(hash), 2);  // one body, two messages
  EXPECT_EQ(sql("SELECT count(*) FROM blobs").i64(0, 0), 2);
  auto arch = run(store_->select(archive));
  EXPECT_EQ(arch->keywords, (ms::flag_list{"Work"}));
  EXPECT_EQ(arch->flag_sets[arch->flag_set[0]], (ms::flag_list{"\\Seen", "Work"}));
  auto trash = box("Trash");
  auto h_inbox = run(store_->status(inbox))->highestmodseq;
  auto moved = run(store_->move(inbox, {{u1, u1}}, trash.mailbox_id));
  ASSERT_TRUE(is_ok(moved));
  EXPECT_EQ(moved->dest_uids, (std::vector<ms::uid_t>{1}));
  EXPECT_EQ(moved->expunged.uids, (std::vector<ms::uid_t>{u1}));
  EXPECT_EQ(refcount(hash), 2);
  EXPECT_EQ(run(store_->select(inbox))->uids, (std::vector<ms::uid_t>{u2}));
  EXPECT_EQ(run(store_->changes_since(inbox, h_inbox))->expunged, (std::vector<ms::uid_t>{u1}));
  // Copying into a mailbox of another account is not possible.
  auto bob = add_account("bob@store.test");
  auto bob_inbox = sql("SELECT id FROM mailboxes WHERE account_id = $1 AND name = 'INBOX'", db::make_params(bob)).i64(0, 0);
  EXPECT_TRUE(fails_with(run(store_->copy(inbox, all(), bob_inbox)), ms::store_errc::nonexistent));
  // Expunging every copy returns every reference.
  ASSERT_TRUE(is_ok(run(store_->store_flags(archive, all(), ms::store_mode::add, {"\\Deleted"}))));
  ASSERT_TRUE(is_ok(run(store_->expunge(archive))));
  ASSERT_TRUE(is_ok(run(store_->store_flags(trash, all(), ms::store_mode::add, {"\\Deleted"}))));
  ASSERT_TRUE(is_ok(run(store_->expunge(trash))));
  EXPECT_EQ(refcount(hash), 0);
}

TEST_F(mailstore, QuotaRefusesAppendAndCopyButNotMove) {
  auto small = add_account("small@store.test", 100);  // bytes
  auto inbox_id = sql("SELECT id FROM mailboxes WHERE account_id = $1 AND name = 'INBOX'", db::make_params(small)).i64(0, 0);
  auto trash_id = sql("SELECT id FROM mailboxes WHERE account_id = $1 AND name = 'Trash'", db::make_params(small)).i64(0, 0);
  ms::mailbox_ref inbox{small, inbox_id};
  std::string body = "Subject: q\r\n\r\n" + std::string(80, 'q') + "\r\n";  // 96 bytes
  ASSERT_TRUE(is_ok(append_result(inbox, body)));
  // Now at 96 of 100: another 96 would end past the 10% grace.
  EXPECT_TRUE(fails_with(append_result(inbox, body), ms::store_errc::over_quota));
  EXPECT_TRUE(fails_with(run(store_->copy(inbox, all(), trash_id)), ms::store_errc::over_quota));
  EXPECT_TRUE(is_ok(run(store_->move(inbox, all(), trash_id))));
  auto q = run(store_->quota(small));
  ASSERT_TRUE(is_ok(q));
  EXPECT_EQ(q->storage_used_kib, 1);
  EXPECT_EQ(q->storage_limit_kib, std::optional<std::int64_t>(0));
  EXPECT_EQ(q->messages_used, 1);
  EXPECT_FALSE(q->messages_limit.has_value());
  // The MESSAGE quota, as an administrator sets it.
  identity::account_update change;
  change.quota_bytes = 0;
  change.quota_messages = 1;
  auto changed = run(identity_->update_account("small@store.test", change));
  ASSERT_TRUE(is_ok(changed));
  EXPECT_EQ(changed->quota_messages, 1);
  EXPECT_EQ(changed->used_messages, 1);
  EXPECT_TRUE(fails_with(append_result(inbox, hello), ms::store_errc::over_quota));
  EXPECT_EQ(run(store_->quota(small))->messages_limit, std::optional<std::int64_t>(1));
  EXPECT_EQ(sql("SELECT count(*) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE b.account_id = $1",
                db::make_params(small)).i64(0, 0), 1);
}

TEST_F(mailstore, DeliveryHonoursTheMessageQuotaToo) {
  add_account("full@store.test");
  identity::account_update change;
  change.quota_messages = 1;
  ASSERT_TRUE(is_ok(run(identity_->update_account("full@store.test", change))));
  auto deliver = [&]() -> asio::awaitable<result<mail::delivery::report>> {
    mail::delivery::committer c(*pool_, *blobs_);
    c.start(io_.get_executor(), 1);
    auto ref = blobs_->put_blocking(hello);
    mail::delivery::request req;
    req.blob = *ref;
    req.structure_json = "{}";
    req.sender = "x@remote.test";
    req.recipients.push_back({"full@store.test", std::nullopt, std::nullopt});
    auto rep = co_await c.deliver(req);
    c.stop();
    co_return rep;
  };
  auto first = run(deliver());
  ASSERT_TRUE(is_ok(first));
  EXPECT_EQ(first->delivered, (std::vector<std::string>{"full@store.test"}));
  auto second = run(deliver());
  ASSERT_TRUE(is_ok(second));
  EXPECT_EQ(second->over_quota, (std::vector<std::string>{"full@store.test"}));
}

// Deliveries, APPENDs, STOREs, EXPUNGEs, COPYs and MOVEs of the same bodies
// at once, on four connections: none fails (no deadlock: every writer locks
// mailbox rows by id, then blob rows by hash), and afterwards every blob's
// reference count is the number of rows that refer to it.

TEST_F(mailstore, SelectOfManyMessagesIsOneCompactSnapshot) {
  auto inbox = box("INBOX");
  auto uid = append("INBOX", hello);
  // 20,000 more messages (rows only: this is about the snapshot).
  sql("INSERT INTO messages(mailbox_id, uid, modseq, flags, blob_hash, size) "
      "SELECT $1, g, g + 10, CASE WHEN g % 2 = 0 THEN '{\\\\Seen}'::text[] ELSE '{}' END, blob_hash, size "
      "FROM generate_series(2, 20001) g, (SELECT blob_hash, size FROM messages WHERE uid = $2) m",
      db::make_params(inbox.mailbox_id, static_cast<std::int64_t>(uid)));
  sql("UPDATE mailboxes SET uidnext = 20002, highestmodseq = 20011 WHERE id = $1", db::make_params(inbox.mailbox_id));
  auto snap = run(store_->select(inbox));
  ASSERT_TRUE(is_ok(snap));
  ASSERT_EQ(snap->uids.size(), 20001u);
  EXPECT_EQ(snap->uids.back(), 20001u);
  EXPECT_EQ(snap->flag_sets.size(), 2u);  // {} and {\Seen}
  EXPECT_EQ(snap->flag_sets[snap->flag_set[1]], (ms::flag_list{"\\Seen"}));
  EXPECT_EQ(snap->uidnext, 20002);
}

}  // namespace
}  // namespace posta::itest
