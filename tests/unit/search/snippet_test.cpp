// search/proto/snippet: marked words, folding, bounds.
#include "search/proto/snippet.hpp"

#include <gtest/gtest.h>

namespace posta::search::proto {
namespace {

TEST(SearchSnippet, MarksFoldedAndPrefixMatches) {
  EXPECT_EQ(make_snippet("Une Réunion demain, meeting at\n\n noon", {"reunion", "meet"}),
            "Une [Réunion] demain, [meeting] at noon");
}

TEST(SearchSnippet, WithoutMatchShowsTheStart) {
  EXPECT_EQ(make_snippet("hello world", {"absent"}), "hello world");
}

TEST(SearchSnippet, LongTextIsCutAroundTheFirstMatch) {
  std::string text(1000, 'x');
  text += " target ";
  text += std::string(1000, 'y');
  auto s = make_snippet(text, {"target"});
  EXPECT_NE(s.find("[target]"), std::string::npos);
  EXPECT_LT(s.size(), 260u);
  EXPECT_EQ(s.rfind("…", 0), 0u);
}

TEST(SearchSnippet, CutsAtUtf8Boundaries) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "ё";
  snippet_options o;
  o.max_bytes = 11;
  auto s = make_snippet(text, {}, o);
  EXPECT_EQ(s, "ёёёёё…");
}

}  // namespace
}  // namespace posta::search::proto
