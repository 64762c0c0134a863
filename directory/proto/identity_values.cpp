// Directory attribute values: see identity_values.hpp.
#include "directory/proto/identity_values.hpp"

#include "core/util/ascii.hpp"
#include "core/util/hex.hpp"
#include "directory/proto/generalized_time.hpp"

#include <algorithm>

namespace posta::directory::proto {
namespace {

void append_bytes(std::string& out, std::string_view raw, std::initializer_list<int> order) {
  for (int i : order) util::append_hex(out, static_cast<unsigned char>(raw[static_cast<std::size_t>(i)]));
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

}  // namespace

std::optional<std::string> guid_text(std::string_view raw) {
  if (raw.size() != 16) return std::nullopt;
  std::string out;
  append_bytes(out, raw, {3, 2, 1, 0});
  out += '-';
  append_bytes(out, raw, {5, 4});
  out += '-';
  append_bytes(out, raw, {7, 6});
  out += '-';
  append_bytes(out, raw, {8, 9});
  out += '-';
  append_bytes(out, raw, {10, 11, 12, 13, 14, 15});
  return out;
}

std::optional<std::string> uuid_bytes_text(std::string_view raw) {
  if (raw.size() != 16) return std::nullopt;
  std::string out;
  append_bytes(out, raw, {0, 1, 2, 3});
  out += '-';
  append_bytes(out, raw, {4, 5});
  out += '-';
  append_bytes(out, raw, {6, 7});
  out += '-';
  append_bytes(out, raw, {8, 9});
  out += '-';
  append_bytes(out, raw, {10, 11, 12, 13, 14, 15});
  return out;
}

std::optional<std::string> uuid_text(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  auto out = util::ascii_lowercase(text);
  for (std::size_t i = 0; i < out.size(); ++i) {
    bool const dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? out[i] != '-' : !is_hex(out[i])) return std::nullopt;
  }
  return out;
}

bool is_plausible_address(std::string_view address) {
  if (address.empty() || address.size() > 254) return false;
  auto const at = address.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == address.size()) return false;
  if (address.find('@', at + 1) != std::string_view::npos) return false;
  return std::none_of(address.begin(), address.end(), [](char c) {
    auto const b = static_cast<unsigned char>(c);
    return b <= 0x20 || b == 0x7F || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' || c == ';' || c == '"' ||
           c == '\\';
  });
}

proxy_addresses parse_proxy_addresses(std::vector<std::string> const& values) {
  proxy_addresses out;
  for (auto const& v : values) {
    if (v.size() < 5 || !util::ascii_iequals(std::string_view(v).substr(0, 5), "smtp:")) continue;
    auto address = util::ascii_lowercase(std::string_view(v).substr(5));
    if (!is_plausible_address(address)) continue;
    if (v.compare(0, 5, "SMTP:") == 0 && !out.primary) {
      out.primary = std::move(address);
    } else if (std::find(out.aliases.begin(), out.aliases.end(), address) == out.aliases.end()) {
      out.aliases.push_back(std::move(address));
    }
  }
  if (out.primary) std::erase(out.aliases, *out.primary);
  return out;
}

std::optional<ranged_attribute> parse_ranged(std::string_view description) {
  constexpr std::string_view marker = ";range=";
  auto const at = description.find(marker);
  if (at == 0 || at == std::string_view::npos) return std::nullopt;
  ranged_attribute out;
  out.base = std::string(description.substr(0, at));
  auto range = description.substr(at + marker.size());
  auto const dash = range.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto low = parse_integer(range.substr(0, dash));
  if (!low || *low < 0) return std::nullopt;
  out.low = *low;
  auto high_text = range.substr(dash + 1);
  if (high_text != "*") {
    auto high = parse_integer(high_text);
    if (!high || *high < *low) return std::nullopt;
    out.high = *high;
  }
  return out;
}

std::string next_range(ranged_attribute const& got) {
  auto const from = got.high ? *got.high + 1 : got.low;
  return got.base + ";range=" + std::to_string(from) + "-*";
}

}  // namespace posta::directory::proto
