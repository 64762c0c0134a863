// search/proto/query: the query language and its bounds.
#include "search/proto/query.hpp"

#include <gtest/gtest.h>

namespace posta::search::proto {
namespace {

using kind = query_node::kind;

TEST(SearchQuery, WordsPhrasesFieldsAndPrefixes) {
  auto q = parse_query(R"(from:Bob "Une Réunion" meet* -spam)");
  ASSERT_TRUE(q) << q.error().message();
  ASSERT_EQ(q->k, kind::all_of);
  ASSERT_EQ(q->children.size(), 4u);
  EXPECT_EQ(q->children[0].in, field::from);
  EXPECT_EQ(q->children[0].words, std::vector<std::string>{"bob"});
  EXPECT_EQ(q->children[1].words, (std::vector<std::string>{"une", "reunion"}));
  EXPECT_TRUE(q->children[2].prefix);
  EXPECT_EQ(q->children[3].k, kind::exclude);
  EXPECT_EQ(positive_words(*q), (std::vector<std::string>{"bob", "une", "reunion", "meet"}));
}

TEST(SearchQuery, OrAndParentheses) {
  auto q = parse_query("(alpha OR beta) gamma");
  ASSERT_TRUE(q);
  ASSERT_EQ(q->k, kind::all_of);
  EXPECT_EQ(q->children[0].k, kind::any_of);
  EXPECT_EQ(q->children[0].children.size(), 2u);
}

TEST(SearchQuery, DateRanges) {
  auto q = parse_query("date:2024-01-02");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->k, kind::date_range);
  EXPECT_EQ(*q->from, 1704153600);
  EXPECT_EQ(*q->to, 1704153600 + 86400);
  auto open = parse_query("date:..2024-01-02");
  ASSERT_TRUE(open);
  EXPECT_FALSE(open->from);
  EXPECT_FALSE(parse_query("date:yesterday"));
}

TEST(SearchQuery, BadQueriesGetClearErrors) {
  struct row {
    std::string q;
    std::string says;
  };
  std::vector<row> const rows{
      {"", "empty"},
      {"\"unbalanced", "unbalanced quote"},
      {"(a b", "unbalanced '('"},
      {"a b)", "unbalanced ')'"},
      {"*", "wildcard"},
      {"a*", "at least 2"},
      {"nosuch:field", "unknown field"},
      {"OR", "without words"},
      {"!!!", "has no words"},
      {std::string(100, '(') + "a" + std::string(100, ')'), "nested too deeply"},
      {std::string(3000, 'a'), "too long"},
  };
  for (auto const& r : rows) {
    auto q = parse_query(r.q);
    ASSERT_FALSE(q) << r.q;
    EXPECT_NE(q.error().context.find(r.says), std::string::npos) << r.q << " -> " << q.error().context;
  }
}

TEST(SearchQuery, ThousandsOfTermsAreRefused) {
  std::string many;
  for (int i = 0; i < 1000; ++i) many += "w" + std::to_string(i) + " ";
  query_limits limits;
  limits.max_bytes = 1 << 20;
  auto q = parse_query(many, limits);
  ASSERT_FALSE(q);
  EXPECT_NE(q.error().context.find("too many words"), std::string::npos);
}

TEST(SearchQuery, EveryPrefixOfAQueryParsesOrFailsCleanly) {
  std::string const text = R"((from:bob OR to:"alice smith") -date:2024-01-01..2024-02-01 réun* NOT x)";
  for (std::size_t cut = 0; cut <= text.size(); ++cut) (void)parse_query(text.substr(0, cut));
}

}  // namespace
}  // namespace posta::search::proto
