#include "addressbook/proto/dav_path.hpp"

#include "core/util/hex.hpp"

#include <vector>

namespace posta::addressbook::proto {
namespace {

result<std::string> decode_segment(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    int const hi = i + 2 < s.size() ? util::hex_value(s[i + 1]) : -1;
    int const lo = i + 2 < s.size() ? util::hex_value(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) return make_error(errc::invalid_argument, "bad percent-encoding");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  if (out.empty() || out == "." || out == "..") return make_error(errc::invalid_argument, "bad path segment");
  for (char c : out)
    if (c == '/' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return make_error(errc::invalid_argument, "bad path segment");
  return out;
}

std::vector<std::string_view> segments_of(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    auto const slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~' || c == '@';
}

}  // namespace

result<dav_target> parse_dav_path(std::string_view raw) {
  dav_target t;
  if (raw == "/.well-known/carddav" || raw == "/.well-known/carddav/") {
    t.what = dav_target::kind::well_known;
    return t;
  }
  if (!raw.starts_with("/dav") || (raw.size() > 4 && raw[4] != '/'))
    return make_error(errc::not_found, "not a CardDAV path");
  auto rest = raw.substr(std::min<std::size_t>(raw.size(), 5));
  t.trailing_slash = raw.ends_with('/');
  if (t.trailing_slash && !rest.empty()) rest.remove_suffix(1);
  auto const parts = segments_of(rest);
  if (parts.empty()) return t;  // /dav, /dav/
  std::vector<std::string> decoded;
  for (std::size_t i = 1; i < parts.size(); ++i) decoded.push_back(POSTA_TRY(decode_segment(parts[i])));
  if (parts[0] == "principals" && decoded.size() == 1) {
    t.what = dav_target::kind::principal;
  } else if (parts[0] == "addressbooks" && !decoded.empty() && decoded.size() <= 3) {
    t.what = decoded.size() == 1 ? dav_target::kind::home
             : decoded.size() == 2 ? dav_target::kind::book
                                   : dav_target::kind::card;
  } else {
    return make_error(errc::not_found, "not a CardDAV path");
  }
  t.address = decoded[0];
  if (decoded.size() > 1) t.book = decoded[1];
  if (decoded.size() > 2) t.card = decoded[2];
  return t;
}

std::string percent_encode_segment(std::string_view segment) {
  std::string out;
  for (char c : segment) {
    if (is_unreserved(c)) {
      out += c;
      continue;
    }
    out += '%';
    util::append_hex(out, static_cast<unsigned char>(c), true);
  }
  return out;
}

std::string principal_href(std::string_view address) {
  return "/dav/principals/" + percent_encode_segment(address) + "/";
}

std::string home_href(std::string_view address) { return "/dav/addressbooks/" + percent_encode_segment(address) + "/"; }

std::string book_href(std::string_view address, std::string_view book) {
  return home_href(address) + percent_encode_segment(book) + "/";
}

std::string card_href(std::string_view address, std::string_view book, std::string_view card) {
  return book_href(address, book) + percent_encode_segment(card);
}

}  // namespace posta::addressbook::proto
