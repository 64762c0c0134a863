// Allow/deny/trusted lists: classifies each setting entry (IP, network,
// sender address, domain, domain tree) and matches client IPs and envelope
// senders against them. RFC 5321 2.4, 4.1.2; RFC 1123 2.1; RFC 4632 3.1.
#include "mail/smtp/policy/address_list.hpp"

#include <algorithm>
#include <optional>

namespace posta::mail::smtp::policy {
namespace {

constexpr std::size_t max_local_part = 64;   // RFC 5321 4.5.3.1.1
constexpr std::size_t max_domain = 253;      // RFC 1035 2.3.4, without the root dot
constexpr std::size_t max_label = 63;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string to_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view strip_root_dot(std::string_view d) {
  if (!d.empty() && d.back() == '.') d.remove_suffix(1);
  return d;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_label(std::string_view l) {
  if (l.empty() || l.size() > max_label || l.front() == '-' || l.back() == '-') return false;
  return std::all_of(l.begin(), l.end(), [](char c) {
    return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'z') || c == '-';
  });
}

// An ASCII host name (RFC 1123 2.1) whose last label is not all digits, so
// that a mistyped IPv4 address is never taken for a domain.
bool is_domain(std::string_view d) {
  d = strip_root_dot(d);
  if (d.empty() || d.size() > max_domain) return false;
  std::string_view last;
  for (std::size_t start = 0;;) {
    auto const dot = d.find('.', start);
    last = d.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!is_label(last)) return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return !std::all_of(last.begin(), last.end(), is_digit);
}

bool is_address_literal(std::string_view d) {
  return d.size() > 2 && d.front() == '[' && d.back() == ']' && d.find_first_of(" \t\r\n[]", 1) == d.size() - 1;
}

// The local part as smtp::proto holds it: quotes and backslash escapes of a
// quoted-string removed. Nullopt when malformed.
std::optional<std::string> unquote_local(std::string_view l) {
  bool const quoted = l.size() >= 2 && l.front() == '"' && l.back() == '"';
  if (quoted) l = l.substr(1, l.size() - 2);
  std::string out;
  for (std::size_t i = 0; i < l.size(); ++i) {
    auto const c = static_cast<unsigned char>(l[i]);
    if (c < 0x20 || c == 0x7f) return std::nullopt;
    if (!quoted && (c == ' ' || c == '"' || c == '\\' || c == '@' || c == '<' || c == '>')) return std::nullopt;
    if (quoted && c == '"') return std::nullopt;
    if (quoted && c == '\\') {
      if (++i == l.size()) return std::nullopt;
      out.push_back(l[i]);
      continue;
    }
    out.push_back(l[i]);
  }
  if (out.empty() || out.size() > max_local_part) return std::nullopt;
  return out;
}

result<void> bad(std::string_view entry, std::string_view why) {
  return make_error(errc::invalid_argument, "list entry \"" + std::string(entry) + "\": " + std::string(why));
}

}  // namespace

// An entry without '@': an IP, a network, a domain or ".domain".
result<void> address_list::add_plain(std::string_view entry, std::string_view raw) {
  if (auto net = parse_network(entry)) {
    networks_.push_back(*net);
    return {};
  }
  if (entry.front() == '.' && is_domain(entry.substr(1))) {
    domain_trees_.insert(to_lower(strip_root_dot(entry.substr(1))));
    return {};
  }
  if (!is_domain(entry)) return bad(raw, "not an IP, network, address or domain");
  domains_.insert(to_lower(strip_root_dot(entry)));
  return {};
}

// An entry with '@' at `at`: "@domain", "@.domain" or "local@domain".
result<void> address_list::add_with_at(std::string_view entry, std::size_t at, std::string_view raw) {
  auto const domain = entry.substr(at + 1);
  if (at == 0) {
    auto const tree = !domain.empty() && domain.front() == '.';
    auto const name = tree ? domain.substr(1) : domain;
    if (!is_domain(name)) return bad(raw, "bad domain");
    (tree ? domain_trees_ : domains_).insert(to_lower(strip_root_dot(name)));
    return {};
  }
  auto const local = unquote_local(entry.substr(0, at));
  if (!local) return bad(raw, "bad local part");
  if (!is_domain(domain) && !is_address_literal(domain)) return bad(raw, "bad domain");
  addresses_.insert(to_lower(*local) + "@" + to_lower(strip_root_dot(domain)));
  return {};
}

result<void> address_list::add(std::string_view raw) {
  auto entry = trim(raw);
  if (entry.empty()) return bad(raw, "empty");
  // SECURITY: bounded entry size (see max_entry_length).
  if (entry.size() > max_entry_length) return bad(raw.substr(0, 64), "too long");
  if (entry.size() >= 2 && entry.front() == '<' && entry.back() == '>') entry = entry.substr(1, entry.size() - 2);
  auto const at = entry.rfind('@');
  return at == std::string_view::npos ? add_plain(entry, raw) : add_with_at(entry, at, raw);
}

result<address_list> address_list::parse(std::vector<std::string> const& entries) {
  address_list list;
  for (auto const& e : entries) {
    if (auto r = list.add(e); !r) return r.error();
  }
  return list;
}

lenient_parse_result address_list::parse_lenient(std::vector<std::string> const& entries) {
  lenient_parse_result out;
  for (auto const& e : entries) {
    if (auto r = out.list.add(e); !r) out.skipped.push_back(skipped_entry{e, r.error().message()});
  }
  return out;
}

result<void> address_list::validate_entry(std::string_view entry) {
  address_list scratch;
  return scratch.add(entry);
}

bool address_list::matches_ip(boost::asio::ip::address const& ip) const {
  return std::any_of(networks_.begin(), networks_.end(), [&](network const& n) { return contains(n, ip); });
}

bool address_list::matches_sender(std::string_view sender) const {
  auto const at = sender.rfind('@');
  if (at == std::string_view::npos || at == 0) return false;
  auto const domain = to_lower(strip_root_dot(sender.substr(at + 1)));
  if (domain.empty()) return false;
  // Either form: smtp::proto::to_string quotes a local part that needs it.
  auto const raw_local = sender.substr(0, at);
  auto const unquoted = raw_local.front() == '"' ? unquote_local(raw_local) : std::nullopt;
  if (addresses_.contains(to_lower(unquoted ? *unquoted : raw_local) + "@" + domain)) return true;
  if (domains_.contains(domain)) return true;
  // Walk the parents: a.b.example.com, b.example.com, example.com, com.
  for (std::string_view d = domain;;) {
    if (domain_trees_.contains(d)) return true;
    auto const dot = d.find('.');
    if (dot == std::string_view::npos) return false;
    d.remove_prefix(dot + 1);
  }
}

bool address_list::matches(boost::asio::ip::address const& ip, std::string_view sender) const {
  return matches_ip(ip) || matches_sender(sender);
}

}  // namespace posta::mail::smtp::policy
