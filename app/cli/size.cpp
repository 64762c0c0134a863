// Size parsing and formatting for quotas and usage figures.
#include "app/cli/size.hpp"
#include "core/util/ascii.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

namespace posta::cli {
namespace {

// The multiplier of a unit suffix ("", "k", "kb", "kib", … lowercase), or 0.
std::int64_t unit_multiplier(std::string unit) {
  if (unit.size() > 1 && unit.back() == 'b') unit.pop_back();
  if (unit.size() == 2 && unit.back() == 'i') unit.pop_back();
  if (unit.empty() || unit == "b") return 1;
  static constexpr std::string_view units = "kmgtp";
  auto const pos = units.find(unit);
  if (unit.size() != 1 || pos == std::string_view::npos) return 0;
  return std::int64_t{1} << (10 * (pos + 1));
}

}  // namespace

namespace {

// Digits times a multiplier, nullopt on overflow.
std::optional<std::int64_t> exact_bytes(std::string_view digits, std::int64_t mult) {
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  std::int64_t n = 0;
  for (char c : digits) {
    if (n > (max - 9) / 10) return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n > max / mult) return std::nullopt;
  return n * mult;
}

// "1.5" times a multiplier, rounded; nullopt when out of range.
std::optional<std::int64_t> fractional_bytes(std::string const& number, std::int64_t mult) {
  double const value = std::strtod(number.c_str(), nullptr) * static_cast<double>(mult);
  // SECURITY: near 2^63 the double → int64 conversion would be undefined.
  if (!std::isfinite(value) || value >= 9.0e18) return std::nullopt;
  return static_cast<std::int64_t>(std::llround(value));
}

}  // namespace

result<std::int64_t> parse_size(std::string_view text) {
  std::size_t i = 0;
  std::string number;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    number += text[i++];
  while (i < text.size() && text[i] == ' ') ++i;
  std::string const unit = util::ascii_lowercase(text.substr(i));
  bool const fractional = number.find('.') != std::string::npos;
  std::int64_t const mult = unit_multiplier(unit);
  std::optional<std::int64_t> bytes;
  // No fractional bytes, no ".5", no "1.2.3".
  if (!number.empty() && number.front() != '.' && number.find('.') == number.rfind('.') && mult != 0 &&
      !(fractional && mult == 1))
    bytes = fractional ? fractional_bytes(number, mult) : exact_bytes(number, mult);
  if (!bytes)
    return make_error(errc::invalid_argument, "not a size: \"" + std::string(text) + "\" (try 500M, 2G, 0 = unlimited)");
  return *bytes;
}

std::string format_size(std::int64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  static constexpr char const* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = static_cast<double>(bytes);
  int unit = -1;
  while (value >= 1024 && unit < 5) {
    value /= 1024;
    ++unit;
  }
  char buf[32];
  double const rounded = std::round(value * 10) / 10;
  if (rounded == std::floor(rounded))
    std::snprintf(buf, sizeof buf, "%.0f %s", rounded, units[unit]);
  else
    std::snprintf(buf, sizeof buf, "%.1f %s", rounded, units[unit]);
  return buf;
}

std::string format_quota(std::int64_t bytes) {
  return bytes == 0 ? "unlimited" : format_size(bytes);
}

}  // namespace posta::cli
