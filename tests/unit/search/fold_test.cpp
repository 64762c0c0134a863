// search/proto/fold: case, accent and ё folding and word splitting.
#include "search/proto/fold.hpp"

#include <gtest/gtest.h>

namespace posta::search::proto {
namespace {

TEST(SearchFold, TableOfFoldings) {
  struct row {
    char const* in;
    char const* out;
  };
  row const rows[] = {
      {"Hello", "hello"},
      {"Réunion", "reunion"},
      {"RÉUNION", "reunion"},
      {"e\xCC\x81t\xC3\xA9", "ete"},  // decomposed é, then composed é
      {"Ёлка", "елка"},
      {"ёжик", "ежик"},
      {"Йогурт", "йогурт"},
      {"Straße", "strasse"},
      {"ÇA VA", "ca va"},
      {"Ελληνικά", "ελληνικα"},
      {"naïve cœur", "naive cœur"},
      {"日本語", "日本語"},
      {"", ""},
  };
  for (auto const& r : rows) EXPECT_EQ(fold(r.in), r.out) << r.in;
}

TEST(SearchFold, InvalidUtf8BecomesReplacement) {
  EXPECT_EQ(fold("a\xFF"
                 "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(fold("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // truncated
  EXPECT_EQ(fold("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
}

TEST(SearchFold, WordsSplitOnPunctuationAndSpace) {
  EXPECT_EQ(words("Bob.Smith@Example.COM, l'été"),
            (std::vector<std::string>{"bob", "smith", "example", "com", "l", "ete"}));
  EXPECT_EQ(words("Привет, мир! Ещё"), (std::vector<std::string>{"привет", "мир", "еще"}));
  EXPECT_EQ(words("  --  "), std::vector<std::string>{});
  EXPECT_EQ(words("a1 b2 c3", 2), (std::vector<std::string>{"a1", "b2"}));
}

TEST(SearchFold, WordOffsetsPointIntoTheInput) {
  std::string const text = "Une Réunion demain";
  std::vector<word> seen;
  for_each_word(text, [&](word const& w) {
    seen.push_back(w);
    return true;
  });
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(text.substr(seen[1].begin, seen[1].end - seen[1].begin), "Réunion");
  EXPECT_EQ(seen[1].folded, "reunion");
}

TEST(SearchFold, OverlongWordsAreSkippedAndCounted) {
  std::string const long_word(max_word_bytes + 1, 'a');
  std::size_t skipped = 0;
  EXPECT_EQ(words("short " + long_word + " end", SIZE_MAX, &skipped), (std::vector<std::string>{"short", "end"}));
  EXPECT_EQ(skipped, 1u);
  EXPECT_EQ(words(std::string(max_word_bytes, 'b')).size(), 1u);
}

TEST(SearchFold, ByteByByteNeverCrashes) {
  std::string const text = "Réunion Ёлка 日本 \xF0\x9F\x98\x80 x";
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    (void)fold(text.substr(0, cut));
    (void)words(text.substr(cut));
  }
}

}  // namespace
}  // namespace posta::search::proto
