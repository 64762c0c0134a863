// mail/store against a real PostgreSQL: the mailbox operations IMAP and POP3
// sessions rely on (LIST data, CREATE/DELETE/RENAME with RFC 3501 rules,
// subscriptions, STATUS, quota), message operations (SELECT snapshot,
// changes since a MODSEQ, FETCH metadata and ranges, STORE with
// UNCHANGEDSINCE, EXPUNGE records, APPEND, COPY sharing blobs, MOVE), the
// quota refusal, mail.auto_folders, NOTIFY and the change watcher.
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
namespace {

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

TEST_F(mailstore, NewAccountsGetInboxAndTheAutoFolders) {
  auto boxes = run(store_->list(account_));
  ASSERT_TRUE(is_ok(boxes));
  std::map<std::string, std::string> uses;
  for (auto const& m : *boxes) {
    uses[m.name] = m.special_use.value_or("-");
    EXPECT_TRUE(m.subscribed) << m.name;
  }
  EXPECT_EQ(uses, (std::map<std::string, std::string>{{"Archive", "\\Archive"}, {"Drafts", "\\Drafts"},
                                                      {"INBOX", "-"},           {"Junk", "\\Junk"},
                                                      {"Sent", "\\Sent"},       {"Trash", "\\Trash"}}));
}

TEST_F(mailstore, ListWithCountsCountsEachMailbox) {
  append("INBOX", hello);
  append("INBOX", "Subject: two\r\n\r\n2\r\n");
  append("Sent", hello);
  auto boxes = run(store_->list(account_, true));
  ASSERT_TRUE(is_ok(boxes));
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> counts;
  for (auto const& m : *boxes) counts[m.name] = {m.messages, m.bytes};
  auto hello_size = static_cast<std::int64_t>(std::string(hello).size());
  EXPECT_EQ(counts["INBOX"], std::make_pair(std::int64_t{2}, hello_size + 19));
  EXPECT_EQ(counts["Sent"], std::make_pair(std::int64_t{1}, hello_size));
  EXPECT_EQ(counts["Trash"], std::make_pair(std::int64_t{0}, std::int64_t{0}));
}

TEST_F(mailstore, ChangingAutoFoldersAffectsOnlyLaterAccounts) {
  settings::register_item_validator("mail.auto_folders", identity::validate_auto_folder);  // as app/ does
  settings::store settings(*pool_);
  auto list = boost::json::array{"Sent Items \\Sent", "Spam \\Junk", "Notes"};
  ASSERT_TRUE(is_ok(run(settings.set("mail.auto_folders", list))));
  auto bob = add_account("bob@store.test");
  auto rows = sql("SELECT name, coalesce(special_use, '-') FROM mailboxes WHERE account_id = $1 ORDER BY name",
                  db::make_params(bob));
  std::vector<std::string> got;
  for (int i = 0; i < rows.size(); ++i) got.push_back(rows.str(i, 0) + "=" + rows.str(i, 1));
  EXPECT_EQ(got, (std::vector<std::string>{"INBOX=-", "Notes=-", "Sent Items=\\Sent", "Spam=\\Junk"}));
  EXPECT_EQ(names().size(), 6u);  // ann's folders are as they were
  // A malformed item is refused when set.
  auto bad = boost::json::array{"Bad \\Nonsense"};
  EXPECT_TRUE(fails_with(run(settings.set("mail.auto_folders", bad)), errc::invalid_argument));
}

TEST_F(mailstore, CreateImpliesSuperiorsAndRefusesDuplicates) {
  auto made = run(store_->create(account_, "Work/2026/Q1", std::string("\\flagged")));
  ASSERT_TRUE(is_ok(made));
  EXPECT_EQ(made->special_use, std::optional<std::string>("\\Flagged"));
  auto n = names();
  EXPECT_NE(std::find(n.begin(), n.end(), "Work"), n.end());
  EXPECT_NE(std::find(n.begin(), n.end(), "Work/2026"), n.end());
  EXPECT_TRUE(fails_with(run(store_->create(account_, "Work/2026/Q1")), ms::store_errc::already_exists));
  EXPECT_TRUE(fails_with(run(store_->create(account_, "inbox")), ms::store_errc::already_exists));
  EXPECT_TRUE(fails_with(run(store_->create(account_, "a//b")), ms::store_errc::invalid_name));
  EXPECT_TRUE(fails_with(run(store_->create(account_, "x", std::string("\\Bogus"))), errc::invalid_argument));
  // "inbox/x" is below INBOX; "Trailing/" declares a parent (RFC 3501 6.3.3).
  ASSERT_TRUE(is_ok(run(store_->create(account_, "inbox/x"))));
  ASSERT_TRUE(is_ok(run(store_->create(account_, "Trailing/"))));
  n = names();
  EXPECT_NE(std::find(n.begin(), n.end(), "INBOX/x"), n.end());
  EXPECT_NE(std::find(n.begin(), n.end(), "Trailing"), n.end());
}

TEST_F(mailstore, MailboxCountIsBounded) {
  ms::store_limits limits;
  limits.max_mailboxes = 8;  // 6 exist
  ms::mailbox_store small(*pool_, *blobs_, limits);
  ASSERT_TRUE(is_ok(run(small.create(account_, "one"))));
  ASSERT_TRUE(is_ok(run(small.create(account_, "two"))));
  EXPECT_TRUE(fails_with(run(small.create(account_, "three")), ms::store_errc::limit));
}

TEST_F(mailstore, DeleteFollowsTheNoselectRules) {
  EXPECT_TRUE(fails_with(run(store_->remove(account_, "INBOX")), ms::store_errc::cannot));
  ASSERT_TRUE(is_ok(run(store_->create(account_, "P/C"))));
  auto uid = append("P", hello);
  ASSERT_GT(uid, 0u);
  auto hash = sql("SELECT blob_hash FROM messages").str(0, 0);
  EXPECT_EQ(refcount(hash), 1);
  // P has a child: it loses its messages and becomes \Noselect.
  ASSERT_TRUE(is_ok(run(store_->remove(account_, "P"))));
  auto n = names();
  EXPECT_NE(std::find(n.begin(), n.end(), "P \\Noselect"), n.end());
  EXPECT_EQ(refcount(hash), 0);  // the blob's reference came back
  EXPECT_EQ(sql("SELECT used_bytes, used_messages FROM accounts WHERE id = $1", db::make_params(account_)).i64(0, 1), 0);
  EXPECT_TRUE(fails_with(run(store_->select(box("P"))), ms::store_errc::nonexistent));
  // A \Noselect name with children cannot be deleted; without them it can.
  EXPECT_TRUE(fails_with(run(store_->remove(account_, "P")), ms::store_errc::cannot));
  ASSERT_TRUE(is_ok(run(store_->remove(account_, "P/C"))));
  ASSERT_TRUE(is_ok(run(store_->remove(account_, "P"))));
  EXPECT_TRUE(fails_with(run(store_->find(account_, "P")), ms::store_errc::nonexistent));
  EXPECT_TRUE(fails_with(run(store_->remove(account_, "P")), ms::store_errc::nonexistent));
  // Creating a \Noselect name again makes it a mailbox with a new UIDVALIDITY.
  ASSERT_TRUE(is_ok(run(store_->create(account_, "Q/C"))));
  auto before = run(store_->find(account_, "Q"));
  ASSERT_TRUE(is_ok(run(store_->remove(account_, "Q"))));
  auto again = run(store_->create(account_, "Q"));
  ASSERT_TRUE(is_ok(again));
  EXPECT_FALSE(again->noselect);
  EXPECT_GT(again->uidvalidity, before->uidvalidity);
}

TEST_F(mailstore, RenameMovesChildrenAndSubscriptions) {
  ASSERT_TRUE(is_ok(run(store_->create(account_, "A/B"))));
  ASSERT_TRUE(is_ok(run(store_->subscribe(account_, "A"))));
  ASSERT_TRUE(is_ok(run(store_->subscribe(account_, "A/B"))));
  auto a_before = run(store_->find(account_, "A"));
  auto uid = append("A/B", hello);
  auto renamed = run(store_->rename(account_, "A", "X/Y"));
  ASSERT_TRUE(is_ok(renamed));
  EXPECT_EQ(renamed->uidvalidity, a_before->uidvalidity);  // the same mailbox
  EXPECT_TRUE(renamed->subscribed);
  auto child = run(store_->select(box("X/Y/B")));
  ASSERT_TRUE(is_ok(child));
  EXPECT_EQ(child->uids, (std::vector<ms::uid_t>{uid}));
  auto n = names();
  EXPECT_NE(std::find(n.begin(), n.end(), "X"), n.end());
  EXPECT_EQ(std::find(n.begin(), n.end(), "A"), n.end());
  auto subs = run(store_->subscriptions(account_));
  EXPECT_NE(std::find(subs->begin(), subs->end(), "X/Y/B"), subs->end());
  EXPECT_EQ(std::find(subs->begin(), subs->end(), "A/B"), subs->end());
  EXPECT_TRUE(fails_with(run(store_->rename(account_, "Sent", "Trash")), ms::store_errc::already_exists));
  EXPECT_TRUE(fails_with(run(store_->rename(account_, "Nope", "Other")), ms::store_errc::nonexistent));
  EXPECT_TRUE(fails_with(run(store_->rename(account_, "X", "X/Z")), ms::store_errc::cannot));
  EXPECT_TRUE(fails_with(run(store_->rename(account_, "Sent", "INBOX")), ms::store_errc::already_exists));
}

TEST_F(mailstore, RenamingInboxMovesItsMessagesAndKeepsInbox) {
  ASSERT_TRUE(is_ok(run(store_->create(account_, "INBOX/child"))));
  auto first = append("INBOX", hello);
  auto second = append("INBOX", hello, {"\\Seen"});
  auto inbox = box("INBOX");
  auto before = run(store_->select(inbox));
  ASSERT_TRUE(is_ok(before));
  auto moved = run(store_->rename(account_, "INBOX", "Old/Mail"));
  ASSERT_TRUE(is_ok(moved));
  EXPECT_GT(moved->uidvalidity, before->uidvalidity);
  auto old = run(store_->select(box("Old/Mail")));
  ASSERT_TRUE(is_ok(old));
  EXPECT_EQ(old->uids, (std::vector<ms::uid_t>{first, second}));
  auto now = run(store_->select(inbox));
  ASSERT_TRUE(is_ok(now));
  EXPECT_TRUE(now->uids.empty());
  EXPECT_EQ(now->uidvalidity, before->uidvalidity);
  EXPECT_EQ(now->uidnext, before->uidnext);  // UIDs of INBOX are never reused
  EXPECT_GT(now->highestmodseq, before->highestmodseq);
  auto since = run(store_->changes_since(inbox, before->highestmodseq));
  EXPECT_EQ(since->expunged, (std::vector<ms::uid_t>{first, second}));
  EXPECT_TRUE(is_ok(run(store_->find(account_, "INBOX/child"))));  // children stay
  // Nothing was copied: one reference per blob, usage unchanged.
  EXPECT_EQ(sql("SELECT used_messages FROM accounts WHERE id = $1", db::make_params(account_)).i64(0, 0), 2);
}

TEST_F(mailstore, SubscriptionsNeedNoMailbox) {
  ASSERT_TRUE(is_ok(run(store_->subscribe(account_, "Not/There"))));
  ASSERT_TRUE(is_ok(run(store_->subscribe(account_, "Not/There"))));
  ASSERT_TRUE(is_ok(run(store_->unsubscribe(account_, "Sent"))));
  auto subs = run(store_->subscriptions(account_));
  ASSERT_TRUE(is_ok(subs));
  EXPECT_NE(std::find(subs->begin(), subs->end(), "Not/There"), subs->end());
  EXPECT_EQ(std::find(subs->begin(), subs->end(), "Sent"), subs->end());
  auto sent = run(store_->find(account_, "Sent"));
  EXPECT_FALSE(sent->subscribed);
}

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
  ASSERT_TRUE(m.structure_json.has_value());
  EXPECT_NE(m.structure_json->find("hello"), std::string::npos);  // the parsed Subject
  EXPECT_EQ(run(store_->read(m)).value(), full);
  EXPECT_EQ(run(store_->read(m, 10, 30)).value(), full.substr(10, 30));  // across the prefix end
  EXPECT_EQ(run(store_->read(m, 30, 8)).value(), full.substr(30, 8));    // blob only
  EXPECT_EQ(run(store_->read(m, 0, 5)).value(), full.substr(0, 5));      // prefix only
  EXPECT_EQ(run(store_->read(m, 1000, 5)).value(), "");
  auto lean = run(store_->fetch(inbox, all(), false));
  EXPECT_FALSE((*lean)[0].structure_json.has_value());
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

TEST_F(mailstore, AccountShowListsMailboxesWithCounts) {
  append("INBOX", hello);
  append("Sent", hello);
  append("Sent", hello);
  auto shown = run(identity_->get_account("ann@store.test"));
  ASSERT_TRUE(is_ok(shown));
  ASSERT_TRUE(shown->mailboxes.has_value());
  std::map<std::string, std::int64_t> counts;
  for (auto const& m : *shown->mailboxes) counts[m.name] = m.messages;
  EXPECT_EQ(counts["INBOX"], 1);
  EXPECT_EQ(counts["Sent"], 2);
  EXPECT_EQ(counts["Trash"], 0);
  EXPECT_EQ(shown->mailboxes->front().name, "INBOX");
}

}  // namespace
}  // namespace posta::itest
