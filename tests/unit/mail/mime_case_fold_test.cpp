// Simple case folding (Unicode CaseFolding.txt C and S) and the substring
// matcher IMAP SEARCH's text keys use (RFC 3501 6.4.4).
#include "mail/mime/proto/case_fold.hpp"

#include <gtest/gtest.h>

namespace posta::mail::mime {
namespace {

TEST(MimeCaseFold, CodePoints) {
  EXPECT_EQ(fold_code_point(U'A'), U'a');
  EXPECT_EQ(fold_code_point(U'z'), U'z');
  EXPECT_EQ(fold_code_point(U'@'), U'@');
  EXPECT_EQ(fold_code_point(0xC4), 0xE4u);      // Ä
  EXPECT_EQ(fold_code_point(0xB5), 0x3BCu);     // micro sign -> mu
  EXPECT_EQ(fold_code_point(0x1E9E), 0xDFu);    // capital sharp s: S, not the full "ss"
  EXPECT_EQ(fold_code_point(0x3A3), 0x3C3u);    // Σ
  EXPECT_EQ(fold_code_point(0x3C2), 0x3C3u);    // final sigma
  EXPECT_EQ(fold_code_point(0x212A), U'k');     // Kelvin sign
  EXPECT_EQ(fold_code_point(0x130), 0x130u);    // İ has only full and Turkic foldings
  EXPECT_EQ(fold_code_point(0x0100), 0x0101u);  // stride-2 runs
  EXPECT_EQ(fold_code_point(0x0101), 0x0101u);
  EXPECT_EQ(fold_code_point(0x1F88), 0x1F80u);    // ᾈ: S
  EXPECT_EQ(fold_code_point(0xAB70), 0x13A0u);    // Cherokee folds to upper case
  EXPECT_EQ(fold_code_point(0x10400), 0x10428u);  // Deseret, 4-byte UTF-8
  EXPECT_EQ(fold_code_point(0x1E921), 0x1E943u);  // Adlam, the last run
  EXPECT_EQ(fold_code_point(0x10FFFF), 0x10FFFFu);
}

TEST(MimeCaseFold, Strings) {
  EXPECT_EQ(fold_case("HeLLo, World!"), "hello, world!");
  EXPECT_EQ(fold_case("\xc3\x84\xc3\x96\xc3\x9c"), "\xc3\xa4\xc3\xb6\xc3\xbc");  // ÄÖÜ
  EXPECT_EQ(fold_case("\xc8\xba"), "\xe2\xb1\xa5");                              // U+023A grows to 3 bytes
  EXPECT_EQ(fold_case("\xe2\x84\xaa"), "k");                                     // Kelvin shrinks to 1
  // Ill-formed bytes are copied, never dropped.
  EXPECT_EQ(fold_case("A\xff"
                      "B\xc3"),
            "a\xff"
            "b\xc3");
  EXPECT_EQ(fold_case("\xc0\x81Z"), "\xc0\x81z");          // overlong
  EXPECT_EQ(fold_case("\xed\xa0\x80Z"), "\xed\xa0\x80z");  // surrogate
  EXPECT_EQ(fold_case(""), "");
}

TEST(MimeCaseFold, SubstringMatcher) {
  auto hay = fold_case(
      "Le r\xc3\xa9sum\xc3\xa9 de l'\xc3\x89"
      "cole");  // "Le résumé de l'École"
  EXPECT_TRUE(substring_matcher("R\xc3\x89SUM\xc3\x89").matches(hay));
  EXPECT_TRUE(substring_matcher("\xc3\xa9"
                                "cole")
                  .matches(hay));
  EXPECT_TRUE(substring_matcher("").matches(hay));
  EXPECT_TRUE(substring_matcher("").matches(""));
  EXPECT_FALSE(substring_matcher("resume").matches(hay));  // no accent folding in IMAP
  EXPECT_FALSE(substring_matcher("ecole").matches(hay));
  EXPECT_TRUE(substring_matcher("\xce\xa3\xce\x9f\xce\xa6\xce\x9f\xce\xa3")          // ΣΟΦΟΣ
                  .matches(fold_case("\xcf\x83\xce\xbf\xcf\x86\xce\xbf\xcf\x82")));  // σοφος
  EXPECT_EQ(substring_matcher("ABC").folded_needle(), "abc");
}

}  // namespace
}  // namespace posta::mail::mime
