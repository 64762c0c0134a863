// mail/store's mailboxes against a real PostgreSQL: mail.auto_folders, LIST
// data with counts, CREATE/DELETE/RENAME with the RFC 3501 rules (INBOX
// too), subscriptions, and `account show` listing the mailboxes.
#include "mailstore_fixture.hpp"

namespace posta::itest {
namespace {

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
