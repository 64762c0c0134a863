// The header block and header line bounds applied while a message streams in
// (RFC 5322 2.1.1, 2.2; setting smtp.max_header_kb).
#include "mail/smtp/proto/header_guard.hpp"

#include <gtest/gtest.h>

#include <string>

namespace posta::mail::smtp::proto {
namespace {

// Feeds `text` in pieces of `step` octets; returns the octets accepted.
std::string run(header_guard& g, std::string_view text, std::size_t step) {
  std::string kept;
  for (std::size_t i = 0; i < text.size(); i += step) {
    auto piece = text.substr(i, step);
    if (g.feed(piece)) kept.append(piece);
  }
  return kept;
}

TEST(SmtpHeaderGuard, NormalMessagePassesAtEverySplit) {
  std::string msg = "From: a@x\r\nSubject: hi\r\n folded\r\n\r\n" + std::string(5000, 'b') + "\r\n";
  for (std::size_t step = 1; step <= msg.size(); step += step < 40 ? 1 : 997) {
    header_guard g({100, 998});  // the body is not counted: it is larger than the bound
    EXPECT_EQ(run(g, msg, step), msg) << step;
    EXPECT_FALSE(g.is_refused());
    EXPECT_TRUE(g.is_header_done());
  }
}

TEST(SmtpHeaderGuard, BlockBoundIsExact) {
  std::string header = "A: " + std::string(91, 'x') + "\r\n";  // 96 octets
  header_guard at({98, 998});
  EXPECT_EQ(run(at, header + "\r\nbody", 7), header + "\r\nbody");  // 98: the empty line fits
  header_guard over({97, 998});
  run(over, header + "\r\nbody", 7);
  ASSERT_TRUE(over.is_refused());
  EXPECT_EQ(over.refusal()->code, 552);
  EXPECT_EQ(over.refusal()->enhanced, "5.3.4");
}

TEST(SmtpHeaderGuard, LineBoundIsExactAndCountsFoldedLinesApart) {
  std::string ok = "S: " + std::string(995, 'x') + "\r\n " + std::string(997, 'y') + "\r\n\r\n";
  header_guard g({1 << 20, 998});
  EXPECT_EQ(run(g, ok, 13), ok);
  EXPECT_FALSE(g.is_refused());
  header_guard h({1 << 20, 998});
  run(h, "S: " + std::string(996, 'x') + "\r\n\r\n", 13);
  ASSERT_TRUE(h.is_refused());
  EXPECT_EQ(h.refusal()->code, 554);
  EXPECT_EQ(h.refusal()->enhanced, "5.6.0");
}

// The input: "To: " and "a," twelve million times. Everything past
// the bound is dropped, so what is kept is at most the bound.
TEST(SmtpHeaderGuard, HugeAddressListIsRefusedAtTheBound) {
  header_guard g({100 * 1024, 998});
  std::string line = "To: ";
  std::size_t kept = g.feed(line) ? line.size() : 0;
  std::string piece;
  for (int i = 0; i < 32768; ++i) piece += "a,";
  for (int i = 0; i < 12'000'000 / 32768 + 1; ++i)
    if (g.feed(piece)) kept += piece.size();
  EXPECT_TRUE(g.is_refused());
  EXPECT_LE(kept, 100u * 1024);
  EXPECT_FALSE(g.feed("\r\n\r\nbody\r\n"));  // refused for good
}

}  // namespace
}  // namespace posta::mail::smtp::proto
