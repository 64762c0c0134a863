// SEARCH programs evaluated against one message: flags, numbers with '*'
// and '$', dates by day, sizes, MODSEQ, OLDER/YOUNGER, AND/OR/NOT, and the
// answers of a text index taking precedence over the scan.
#include "mail/imap/server/search_eval.hpp"

#include <gtest/gtest.h>

namespace posta::mail::imap::server {
namespace {

using proto::search_key;
using proto::search_kind;
using namespace std::chrono;

search_key key(search_kind k) {
  search_key s;
  s.kind = k;
  return s;
}
search_key with_children(search_kind k, std::vector<search_key> children) {
  auto s = key(k);
  s.children = std::move(children);
  return s;
}
search_key set_key(search_kind k, std::uint32_t first, std::uint32_t last) {
  auto s = key(k);
  s.set.ranges.push_back({first, last});
  return s;
}

struct SearchEval : ::testing::Test {
  std::vector<std::string> flags{"\\Seen", "$Work"};
  search_subject m{3, 30, 77, &flags, 1772445600 /* 2026-03-02 10:00 UTC */, 5000, nullptr, nullptr};
  std::set<std::uint32_t> saved{30};
  search_context ctx{5, 50, &saved, 1772445600 + 3600, nullptr};
  bool match(search_key const& k) { return search_matches(k, m, ctx); }
};

TEST_F(SearchEval, Flags) {
  EXPECT_TRUE(match(key(search_kind::seen)));
  EXPECT_FALSE(match(key(search_kind::unseen)));
  EXPECT_TRUE(match(key(search_kind::unflagged)));
  auto kw = key(search_kind::keyword);
  kw.field = "$work";  // keywords compare case-insensitively
  EXPECT_TRUE(match(kw));
  kw.kind = search_kind::unkeyword;
  EXPECT_FALSE(match(kw));
  EXPECT_FALSE(match(key(search_kind::recent)));
  EXPECT_TRUE(match(key(search_kind::old)));
}

TEST_F(SearchEval, NumbersStarAndSaved) {
  EXPECT_TRUE(match(set_key(search_kind::sequence, 2, 4)));
  EXPECT_FALSE(match(set_key(search_kind::sequence, 4, proto::seq_star)));
  EXPECT_TRUE(match(set_key(search_kind::sequence, proto::seq_star, 3)));  // 3:* in either order
  EXPECT_TRUE(match(set_key(search_kind::uid, 30, 30)));
  EXPECT_FALSE(match(set_key(search_kind::uid, 31, proto::seq_star)));
  auto dollar = key(search_kind::uid);
  dollar.set.saved = true;
  EXPECT_TRUE(match(dollar));
  saved.clear();
  EXPECT_FALSE(match(dollar));
}

TEST_F(SearchEval, DatesAreDays) {
  auto on = key(search_kind::on);
  on.date = year_month_day{year{2026}, month{3}, day{2}};
  EXPECT_TRUE(match(on));
  on.kind = search_kind::before;
  EXPECT_FALSE(match(on));
  on.kind = search_kind::since;
  EXPECT_TRUE(match(on));
  on.date = year_month_day{year{2026}, month{3}, day{3}};
  EXPECT_FALSE(match(on));
  on.kind = search_kind::before;
  EXPECT_TRUE(match(on));
  // No structure: SENT* fall back to the internal date.
  on.kind = search_kind::sent_before;
  EXPECT_TRUE(match(on));
}

TEST_F(SearchEval, SizesModseqAndAge) {
  auto k = key(search_kind::larger);
  k.number = 4999;
  EXPECT_TRUE(match(k));
  k.number = 5000;
  EXPECT_FALSE(match(k));
  k.kind = search_kind::smaller;
  k.number = 5001;
  EXPECT_TRUE(match(k));
  k.kind = search_kind::modseq;
  k.number = 77;
  EXPECT_TRUE(match(k));
  k.number = 78;
  EXPECT_FALSE(match(k));
  k.kind = search_kind::older;
  k.number = 3600;
  EXPECT_TRUE(match(k));
  k.number = 3601;
  EXPECT_FALSE(match(k));
  k.kind = search_kind::younger;
  EXPECT_TRUE(match(k));
  k.number = 60;
  EXPECT_FALSE(match(k));
}

TEST_F(SearchEval, Combinations) {
  EXPECT_TRUE(match(with_children(search_kind::or_, {key(search_kind::flagged), key(search_kind::seen)})));
  EXPECT_FALSE(match(with_children(search_kind::and_, {key(search_kind::flagged), key(search_kind::seen)})));
  EXPECT_TRUE(match(with_children(search_kind::not_, {key(search_kind::deleted)})));
  EXPECT_TRUE(match(with_children(search_kind::and_, {})));
}

TEST_F(SearchEval, TextKeysUseTheIndexWhenItAnswers) {
  auto subject = key(search_kind::subject);
  subject.value = "report";
  EXPECT_FALSE(match(subject));  // no text, no index: no match
  std::map<proto::search_key const*, std::set<std::uint32_t>> indexed{{&subject, {30}}};
  ctx.indexed = &indexed;
  EXPECT_TRUE(match(subject));
  EXPECT_TRUE(needs_text(subject));
  EXPECT_TRUE(needs_structure(subject));
  EXPECT_FALSE(needs_metadata(key(search_kind::seen)));
  EXPECT_TRUE(needs_metadata(key(search_kind::larger)));
  EXPECT_TRUE(has_modseq_key(with_children(search_kind::not_, {key(search_kind::modseq)})));
}

}  // namespace
}  // namespace posta::mail::imap::server
