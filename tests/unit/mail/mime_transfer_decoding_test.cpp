// Base64 and quoted-printable decoding (RFC 2045 6.7, 6.8) for BINARY
// (RFC 3516): tables, every split point into two chunks, byte by byte, and
// the bound on held-back white space.
#include "mail/mime/proto/transfer_decoding.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace posta::mail::mime {
namespace {

struct c {
  std::string_view in;
  std::string_view out;
};

c const quoted_printable[] = {
    {"", ""},
    {"plain text", "plain text"},
    {"a=3Db", "a=b"},
    {"caf=C3=A9", "caf\xc3\xa9"},
    {"caf=c3=a9", "caf\xc3\xa9"},  // COMPAT: lowercase hex
    {"soft=\r\nbreak", "softbreak"},
    {"soft=  \t\r\nbreak", "softbreak"},
    {"soft=\nbreak", "softbreak"},
    {"trail   \r\nnext", "trail\r\nnext"},
    {"tab\t\r\n", "tab\r\n"},
    {"trail \nnext", "trail\nnext"},
    {"end  ", "end"},
    {"a  b", "a  b"},
    {"a \rb", "a \rb"},
    {"line\r\n\r\n", "line\r\n\r\n"},
    {"=4", "=4"},
    {"=4g", "=4g"},
    {"=XY", "=XY"},
    {"= x", "= x"},
    {"=\rx", "=\rx"},
    {"==41", "=A"},
    {"a=", "a"},
    {"a=  ", "a"},
    {"=00=FF", std::string_view("\0\xff", 2)},
    {"x=\r\n=\r\ny", "xy"},
};

c const base64[] = {
    {"", ""},
    {"aGVsbG8=", "hello"},
    {"aGVs\r\nbG8=\r\n", "hello"},
    {"aGVsbG8", "hello"},  // missing padding
    {"YQ==", "a"},
    {"YWI=", "ab"},
    {"YWJj", "abc"},
    {"aGk=aGk=", "hihi"},
    {"!!a G\tk=", "hi"},
    {"Y", ""},  // one sextet carries no byte
    {"AP8A", std::string_view("\0\xff\0", 3)},
};

std::string decode_split(transfer_encoding e, std::string_view in, std::size_t at) {
  transfer_decoder d(e);
  std::string out;
  d.feed(in.substr(0, at), out);
  d.feed(in.substr(at), out);
  d.finish(out);
  return out;
}

std::string decode_bytewise(transfer_encoding e, std::string_view in) {
  transfer_decoder d(e);
  std::string out;
  for (char ch : in) d.feed(std::string_view(&ch, 1), out);
  d.finish(out);
  return out;
}

void check(transfer_encoding e, c const& t) {
  auto name = testing::PrintToString(std::string(t.in));
  EXPECT_EQ(decode_transfer(e, t.in), t.out) << name;
  EXPECT_EQ(decoded_size(e, t.in), t.out.size()) << name;
  EXPECT_EQ(decode_bytewise(e, t.in), t.out) << name << " byte by byte";
  for (std::size_t at = 0; at <= t.in.size(); ++at) EXPECT_EQ(decode_split(e, t.in, at), t.out) << name << " at " << at;
}

TEST(MimeTransferDecoding, QuotedPrintable) {
  for (auto const& t : quoted_printable) check(transfer_encoding::quoted_printable, t);
}

TEST(MimeTransferDecoding, Base64) {
  for (auto const& t : base64) check(transfer_encoding::base64, t);
}

TEST(MimeTransferDecoding, IdentityPassesThrough) {
  std::string_view const bytes("a=3D \r\n\0b", 9);
  check(transfer_encoding::identity, {bytes, bytes});
}

TEST(MimeTransferDecoding, Classify) {
  EXPECT_EQ(classify_transfer_encoding(std::nullopt), transfer_encoding::identity);
  EXPECT_EQ(classify_transfer_encoding("7bit"), transfer_encoding::identity);
  EXPECT_EQ(classify_transfer_encoding("8bit"), transfer_encoding::identity);
  EXPECT_EQ(classify_transfer_encoding("binary"), transfer_encoding::identity);
  EXPECT_EQ(classify_transfer_encoding("base64"), transfer_encoding::base64);
  EXPECT_EQ(classify_transfer_encoding("quoted-printable"), transfer_encoding::quoted_printable);
  // RFC 3516: anything else is NO [UNKNOWN-CTE].
  EXPECT_EQ(classify_transfer_encoding("x-uuencode"), std::nullopt);
  EXPECT_EQ(classify_transfer_encoding("base-64"), std::nullopt);
}

// Bodies larger than the internal chunk, across its boundaries.
TEST(MimeTransferDecoding, LargeBodies) {
  std::string raw, encoded;
  for (int i = 0; i < 100'000; ++i) raw += static_cast<char>(i * 7);
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t i = 0; i < raw.size(); i += 3) {
    std::uint32_t v = static_cast<unsigned char>(raw[i]) << 16;
    if (i + 1 < raw.size()) v |= static_cast<unsigned char>(raw[i + 1]) << 8;
    if (i + 2 < raw.size()) v |= static_cast<unsigned char>(raw[i + 2]);
    encoded += alphabet[v >> 18];
    encoded += alphabet[(v >> 12) & 63];
    encoded += i + 1 < raw.size() ? alphabet[(v >> 6) & 63] : '=';
    encoded += i + 2 < raw.size() ? alphabet[v & 63] : '=';
    if (i % 57 == 54) encoded += "\r\n";
  }
  EXPECT_EQ(decode_transfer(transfer_encoding::base64, encoded), raw);
  EXPECT_EQ(decoded_size(transfer_encoding::base64, encoded), raw.size());
}

// The window of a body fed in two chunks split at `at`, and what it reports.
std::string window_split(transfer_encoding e, std::string_view in, std::size_t at, std::uint64_t offset,
                         std::uint64_t length) {
  decoded_window w(e, offset, length);
  std::string out;
  w.feed(in.substr(0, at), out);
  w.feed(in.substr(at), out);
  w.finish(out);
  return out;
}

// BINARY[]<offset.length> (RFC 3516 4.1): every window of every table entry,
// the input split at every point, equals the slice of the whole decoding.
TEST(MimeTransferDecoding, DecodedWindowAtEverySplitPoint) {
  auto check_windows = [](transfer_encoding e, c const& t) {
    std::string const whole(t.out);
    for (std::uint64_t offset = 0; offset <= whole.size() + 1; ++offset)
      for (std::uint64_t length : {std::uint64_t{1}, std::uint64_t{2}, std::uint64_t{5}, decoded_window::to_the_end})
        for (std::size_t at = 0; at <= t.in.size(); ++at) {
          auto expected = whole.substr(std::min<std::size_t>(offset, whole.size()), length);
          EXPECT_EQ(window_split(e, t.in, at, offset, length), expected)
              << testing::PrintToString(std::string(t.in)) << " <" << offset << "." << length << "> at " << at;
        }
  };
  for (auto const& t : quoted_printable) check_windows(transfer_encoding::quoted_printable, t);
  for (auto const& t : base64) check_windows(transfer_encoding::base64, t);
  check_windows(transfer_encoding::identity, {"abc\r\ndef", "abc\r\ndef"});
}

TEST(MimeTransferDecoding, DecodedWindowCompletesAtItsEnd) {
  decoded_window w(transfer_encoding::base64, 1, 2);
  std::string out;
  w.feed("YWJj", out);  // "abc"
  EXPECT_EQ(out, "bc");
  EXPECT_TRUE(w.is_complete());
  w.feed("ZGVm", out);  // ignored once complete
  w.finish(out);
  EXPECT_EQ(out, "bc");
  decoded_window all(transfer_encoding::base64, 0);
  all.feed("YWJj", out);
  EXPECT_FALSE(all.is_complete());
  EXPECT_EQ(all.decoded(), 3u);
}

// SECURITY: the decoder holds back at most max_pending_whitespace bytes;
// a longer run comes out as it is.
TEST(MimeTransferDecoding, HeldBackWhiteSpaceIsBounded) {
  constexpr auto limit = transfer_decoder::max_pending_whitespace;
  transfer_decoder d(transfer_encoding::quoted_printable);
  std::string out;
  d.feed(std::string(3 * limit, ' '), out);
  EXPECT_GE(out.size(), 2 * limit);
  d.feed("x", out);
  d.finish(out);
  EXPECT_EQ(out, std::string(3 * limit, ' ') + "x");
  // The same after a "=": a long run is not a soft line break.
  auto eq = "=" + std::string(2 * limit, ' ') + "x";
  EXPECT_EQ(decode_transfer(transfer_encoding::quoted_printable, eq), eq);
}

}  // namespace
}  // namespace posta::mail::mime
