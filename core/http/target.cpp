// Request-target parsing: RFC 9112 §3.2.1 origin form, RFC 3986 §2.1
// percent-encoding, form-encoded query strings.
#include "core/http/target.hpp"

#include "core/util/hex.hpp"

namespace posta::http {
namespace {

bool is_unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_' || c == '~';
}

}  // namespace

result<std::string> percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char const c = in[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c != '%') {
      out += c;
    } else {
      int const hi = i + 2 < in.size() ? util::hex_value(in[i + 1]) : -1;
      int const lo = i + 2 < in.size() ? util::hex_value(in[i + 2]) : -1;
      if (hi < 0 || lo < 0) return make_error(errc::invalid_argument, "bad percent-encoding");
      // SECURITY: a decoded NUL would cut names short in C APIs further down.
      if (hi == 0 && lo == 0) return make_error(errc::invalid_argument, "encoded NUL");
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    }
  }
  return out;
}

std::string percent_encode(std::string_view in) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (char c : in) {
    auto const u = static_cast<unsigned char>(c);
    if (is_unreserved(u)) {
      out += c;
    } else {
      out += '%';
      out += digits[u >> 4];
      out += digits[u & 15];
    }
  }
  return out;
}

namespace {

result<void> parse_query(std::string_view q, std::map<std::string, std::string>& out) {
  while (!q.empty()) {
    auto const amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    if (pair.empty()) continue;
    auto const eq = pair.find('=');
    auto name = POSTA_TRY(percent_decode(pair.substr(0, eq), true));
    std::string value;
    if (eq != std::string_view::npos) value = POSTA_TRY(percent_decode(pair.substr(eq + 1), true));
    out[std::move(name)] = std::move(value);
  }
  return {};
}

}  // namespace

result<parsed_target> parse_target(std::string_view target) {
  if (target.empty() || target.front() != '/')
    return make_error(errc::invalid_argument, "request target is not a path");
  target = target.substr(0, target.find('#'));
  auto const qmark = target.find('?');
  parsed_target out;
  out.raw_path = std::string(target.substr(0, qmark));
  out.path = POSTA_TRY(percent_decode(out.raw_path));
  if (qmark != std::string_view::npos) POSTA_TRY(parse_query(target.substr(qmark + 1), out.query));
  return out;
}

}  // namespace posta::http
