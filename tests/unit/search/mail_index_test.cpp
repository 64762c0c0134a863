// search/engine: documents in, IMAP keys and queries out, on a temporary
// directory (no sockets, no database).
#include "search/engine/mail_index.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

namespace posta::search::engine {
namespace {

class MailIndex : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("posta-index-test-" + std::to_string(std::random_device{}()));
    index_ = std::make_unique<mail_indexes>(dir_);
  }
  void TearDown() override {
    index_.reset();
    std::filesystem::remove_all(dir_);
  }

  static mail_change add(std::uint32_t uid, std::string subject, std::string body, std::int64_t date = 1700000000) {
    mail_change c;
    c.mailbox_id = 7;
    c.uid = uid;
    c.doc.mailbox_id = 7;
    c.doc.uid = uid;
    c.doc.date = date + uid;
    c.doc.from = "Alice Martin <alice@example.org>";
    c.doc.subject = std::move(subject);
    c.doc.body = std::move(body);
    c.doc.headers = "subject: " + c.doc.subject + "\n";
    c.doc.attachment_names = {"rapport-annuel.pdf"};
    return c;
  }

  std::optional<std::vector<std::uint32_t>> imap(imap_field f, std::string value) {
    auto r = index_->match_imap_blocking({1, 7, f, std::move(value), {1, 2, 3, 4}});
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : std::nullopt;
  }

  hits find(std::string q) {
    auto parsed = proto::parse_query(q);
    EXPECT_TRUE(parsed) << q;
    auto r = index_->search_blocking({1, std::nullopt, *parsed, 0, 50});
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : hits{};
  }

  std::filesystem::path dir_;
  std::unique_ptr<mail_indexes> index_;
};

TEST_F(MailIndex, ImapKeysFindWholeWordsPrefixesAndPhrases) {
  ASSERT_TRUE(
      index_->apply_blocking(1, {add(1, "Réunion lundi", "We are meeting at noon"),
                                 add(2, "Ёлка", "Новогодняя ёлка в офисе"), add(3, "Invoice", "see attachment")}));
  EXPECT_EQ(imap(imap_field::subject, "reunion"), (std::vector<std::uint32_t>{1}));
  EXPECT_EQ(imap(imap_field::body, "meet"), (std::vector<std::uint32_t>{1}));
  EXPECT_EQ(imap(imap_field::body, "елка"), (std::vector<std::uint32_t>{2}));
  EXPECT_EQ(imap(imap_field::text, "at noon"), (std::vector<std::uint32_t>{1}));
  EXPECT_EQ(imap(imap_field::text, "noon at"), (std::vector<std::uint32_t>{}));
  EXPECT_EQ(imap(imap_field::from, "alice@example.org"), (std::vector<std::uint32_t>{1, 2, 3}));
  EXPECT_EQ(imap(imap_field::body, "@@"), std::nullopt);  // no words: the caller scans
  auto indexed = index_->indexed_uids_blocking(1, 7);
  ASSERT_TRUE(indexed);
  EXPECT_EQ(*indexed, (std::vector<std::uint32_t>{1, 2, 3}));
}

TEST_F(MailIndex, RemoveAndReplaceAreIdempotent) {
  ASSERT_TRUE(index_->apply_blocking(1, {add(1, "one", "alpha"), add(2, "two", "beta")}));
  ASSERT_TRUE(index_->apply_blocking(1, {add(1, "one", "gamma"), add(1, "one", "gamma")}));
  mail_change rm;
  rm.k = mail_change::kind::remove;
  rm.mailbox_id = 7;
  rm.uid = 2;
  ASSERT_TRUE(index_->apply_blocking(1, {rm, rm}));
  EXPECT_EQ(imap(imap_field::body, "alpha"), (std::vector<std::uint32_t>{}));
  EXPECT_EQ(imap(imap_field::body, "gamma"), (std::vector<std::uint32_t>{1}));
  EXPECT_EQ(*index_->indexed_uids_blocking(1, 7), (std::vector<std::uint32_t>{1}));
  ASSERT_TRUE(index_->reset_blocking(1));
  EXPECT_TRUE(index_->indexed_uids_blocking(1, 7)->empty());
  ASSERT_TRUE(index_->drop_blocking(1));
  EXPECT_EQ(imap(imap_field::body, "gamma"), std::nullopt);
}

TEST_F(MailIndex, QueriesStemSortNewestFirstAndMark) {
  ASSERT_TRUE(index_->apply_blocking(1, {add(1, "Reports", "the yearly reports are ready"),
                                         add(2, "Report", "one report attached"), add(3, "Other", "nothing here")}));
  auto h = find("report");
  ASSERT_EQ(h.items.size(), 2u);
  EXPECT_EQ(h.items[0].uid, 2u);  // newest first
  EXPECT_EQ(h.items[1].uid, 1u);
  EXPECT_NE(h.items[1].snippet.find("[reports]"), std::string::npos);
  EXPECT_EQ(h.items[0].subject, "Report");
  EXPECT_EQ(find("attachment:annuel").items.size(), 3u);
  EXPECT_EQ(find("report -yearly").items.size(), 1u);
  EXPECT_EQ(find("subject:other OR body:yearly").items.size(), 2u);
  EXPECT_EQ(find("date:2023-11-14").items.size(), 3u);
  EXPECT_EQ(find("date:..2001-01-01").items.size(), 0u);
  EXPECT_EQ(find("-nothing").items.size(), 2u);
}

TEST_F(MailIndex, FrenchAndRussianStemming) {
  index_->set_language(language::russian);
  ASSERT_TRUE(index_->apply_blocking(1, {add(1, "Отчёт", "отчёты готовы")}));
  EXPECT_EQ(find("отчет").items.size(), 1u);
  EXPECT_EQ(find("отчеты").items.size(), 1u);
  index_->set_language(language::french);
  ASSERT_TRUE(index_->apply_blocking(1, {add(2, "Réunions", "les réunions importantes")}));
  EXPECT_EQ(find("réunion").items.size(), 1u);
  EXPECT_EQ(find("reunion").items.size(), 1u);
}

}  // namespace
}  // namespace posta::search::engine
