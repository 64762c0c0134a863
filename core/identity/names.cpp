// Domain names (IDNA2008 through libidn2, then LDH rules), local parts,
// addresses and logins: normalised forms and readable refusals.
#include "core/identity/names.hpp"

#include "core/util/hex.hpp"

#include <idn2.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace posta::identity {
namespace {

// The input for an error message. SECURITY: hostile input reaches logs and
// replies: control bytes are escaped and the text is cut at 80 bytes.
std::string quoted(std::string_view input) {
  std::string out = "'";
  for (char c : input.substr(0, 80)) {
    auto const b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7f || c == '\\' || c == '\'') {
      out += "\\x";
      util::append_hex(out, b);
    } else {
      out.push_back(c);
    }
  }
  return out + (input.size() > 80 ? "'..." : "'");
}

error invalid(std::string_view what, std::string_view input, std::string_view why) {
  return make_error(errc::invalid_argument, "invalid " + std::string(what) + " " + quoted(input) + ": " + std::string(why));
}

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowercase(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), to_lower);
  return out;
}

// Refusals that must be made on the raw text, before libidn2 maps it.
std::string_view raw_domain_problem(std::string_view input) {
  if (input.empty()) return "empty";
  if (input.size() > max_name_input_bytes) return "too long";
  for (char c : input) {
    if (c == ' ' || c == '\t') return "contains a space";
    if (c == '@') return "contains '@'";
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "contains a control character";
  }
  if (input.back() == '.') return "trailing dot";
  return {};
}

// libidn2's verdict in words; its codes for our own limits get our wording.
std::string idn2_problem(int rc) {
  if (rc == IDN2_TOO_BIG_LABEL || rc == IDN2_PUNYCODE_BIG_OUTPUT) return "label longer than 63 characters";
  if (rc == IDN2_TOO_BIG_DOMAIN) return "longer than 253 characters";
  if (rc == IDN2_HYPHEN_STARTEND) return "label starts or ends with '-'";
  return std::string("not a valid internationalised name (") + idn2_strerror(rc) + ")";
}

// LDH checks on the ASCII (A-label) form, label by label (RFC 1035 §2.3.1).
std::string_view ascii_domain_problem(std::string_view domain) {
  if (domain.size() > max_domain_bytes) return "longer than 253 characters";
  std::string_view last;
  for (std::size_t start = 0; start <= domain.size();) {
    std::size_t end = domain.find('.', start);
    if (end == std::string_view::npos) end = domain.size();
    std::string_view const label = domain.substr(start, end - start);
    if (label.empty()) return "empty label";
    if (label.size() > max_label_bytes) return "label longer than 63 characters";
    if (label.front() == '-' || label.back() == '-') return "label starts or ends with '-'";
    if (!std::all_of(label.begin(), label.end(), [](char c) { return is_lower_alnum(c) || c == '-'; })) {
      return "only letters, digits and '-' are allowed";
    }
    last = label;
    start = end + 1;
  }
  // SECURITY: "1.2.3.4" is an address, not a domain (RFC 3696 §2).
  if (std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return "top-level label is all digits";
  }
  return {};
}

}  // namespace

result<std::string> normalise_domain(std::string_view input) {
  constexpr std::string_view what = "domain name";
  if (auto const why = raw_domain_problem(input); !why.empty()) return invalid(what, input, why);
  std::string const text(input);  // libidn2 wants NUL-terminated input
  char* out = nullptr;
  int const rc = idn2_to_ascii_8z(text.c_str(), &out, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  std::unique_ptr<char, decltype(&idn2_free)> const owned(out, &idn2_free);
  if (rc != IDN2_OK) return invalid(what, input, idn2_problem(rc));
  std::string ascii = lowercase(out);
  if (auto const why = ascii_domain_problem(ascii); !why.empty()) return invalid(what, input, why);
  return ascii;
}

result<std::string> normalise_local_part(std::string_view input) {
  constexpr std::string_view what = "local part";
  if (input.empty()) return invalid(what, input, "empty");
  if (input.size() > max_local_part_bytes) return invalid(what, input, "longer than 64 characters");
  std::string out = lowercase(input);
  for (char c : out) {
    if (!is_lower_alnum(c) && c != '.' && c != '-' && c != '_' && c != '+') {
      return invalid(what, input, "only letters, digits, '.', '-', '_' and '+' are allowed");
    }
  }
  if (out.front() == '.' || out.back() == '.') return invalid(what, input, "starts or ends with '.'");
  if (out.find("..") != std::string::npos) return invalid(what, input, "contains '..'");
  return out;
}

result<std::string> normalise_address(std::string_view input) {
  constexpr std::string_view what = "address";
  std::size_t const at = input.find('@');
  if (at == std::string_view::npos) return invalid(what, input, "missing '@'");
  // SECURITY: one '@' only; splitting on the first or the last would let two
  // spellings name different mailboxes.
  if (input.find('@', at + 1) != std::string_view::npos) return invalid(what, input, "more than one '@'");
  auto local = normalise_local_part(input.substr(0, at));
  if (!local) return invalid(what, input, local.error().context);
  auto domain = normalise_domain(input.substr(at + 1));
  if (!domain) return invalid(what, input, domain.error().context);
  std::string out = *local + "@" + *domain;
  if (out.size() > max_address_bytes) return invalid(what, input, "longer than 254 characters");
  return out;
}

result<std::string> normalise_login(std::string_view input, std::string_view default_domain) {
  if (input.find('@') != std::string_view::npos) return normalise_address(input);
  if (default_domain.empty()) {
    return make_error(errc::invalid_argument, "invalid login " + quoted(input) + ": no domain and no default domain");
  }
  auto local = normalise_local_part(input);
  if (!local) return invalid("login", input, local.error().context);
  auto domain = normalise_domain(default_domain);
  if (!domain) return invalid("login", input, "default domain: " + domain.error().context);
  std::string out = *local + "@" + *domain;
  if (out.size() > max_address_bytes) return invalid("login", input, "longer than 254 characters");
  return out;
}

}  // namespace posta::identity
