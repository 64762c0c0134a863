// UTF-8 validation for SMTPUTF8 addresses and parameters. RFC 3629 4 (UTF8-2..4).
#include "mail/smtp/proto/grammar.hpp"

namespace posta::mail::smtp::proto::grammar {
namespace {

struct lead_rule {
  unsigned char first_lo, first_hi;    // lead byte range
  std::size_t length;
  unsigned char second_lo, second_hi;  // allowed range of the second byte
};

// RFC 3629 4: the second byte's range is what excludes overlongs and surrogates.
constexpr lead_rule rules[] = {
    {0xc2, 0xdf, 2, 0x80, 0xbf}, {0xe0, 0xe0, 3, 0xa0, 0xbf}, {0xe1, 0xec, 3, 0x80, 0xbf},
    {0xed, 0xed, 3, 0x80, 0x9f}, {0xee, 0xef, 3, 0x80, 0xbf}, {0xf0, 0xf0, 4, 0x90, 0xbf},
    {0xf1, 0xf3, 4, 0x80, 0xbf}, {0xf4, 0xf4, 4, 0x80, 0x8f},
};

bool is_continuation(unsigned char c) noexcept { return c >= 0x80 && c <= 0xbf; }

}  // namespace

std::size_t utf8_sequence_length(std::string_view s, std::size_t pos) noexcept {
  if (pos >= s.size()) return 0;
  auto lead = static_cast<unsigned char>(s[pos]);
  for (auto const& rule : rules) {
    if (lead < rule.first_lo || lead > rule.first_hi) continue;
    if (pos + rule.length > s.size()) return 0;
    auto second = static_cast<unsigned char>(s[pos + 1]);
    if (second < rule.second_lo || second > rule.second_hi) return 0;
    for (std::size_t i = 2; i < rule.length; ++i)
      if (!is_continuation(static_cast<unsigned char>(s[pos + i]))) return 0;
    return rule.length;
  }
  return 0;
}

}  // namespace posta::mail::smtp::proto::grammar
