// JID structure and localpart/resourcepart rules (RFC 7622 sections 3.1,
// 3.3, 3.4) and the jid error category.
#include "jabber/xml/jid_rules.hpp"

#include "core/util/utf8.hpp"

#include <string>

namespace posta::jabber::xml {

namespace {

class jid_category_impl final : public std::error_category {
 public:
  char const* name() const noexcept override { return "posta.jid"; }
  std::string message(int value) const override;
};

std::string jid_category_impl::message(int value) const {
  switch (static_cast<jid_errc>(value)) {
    case jid_errc::empty:
      return "empty JID";
    case jid_errc::empty_localpart:
      return "empty localpart";
    case jid_errc::empty_domainpart:
      return "empty domainpart";
    case jid_errc::empty_resourcepart:
      return "empty resourcepart";
    case jid_errc::localpart_too_long:
      return "localpart longer than 1023 bytes";
    case jid_errc::domainpart_too_long:
      return "domainpart longer than 1023 bytes";
    case jid_errc::resourcepart_too_long:
      return "resourcepart longer than 1023 bytes";
    case jid_errc::more_than_one_at:
      return "more than one '@'";
    case jid_errc::forbidden_localpart_character:
      return "forbidden character in localpart";
    case jid_errc::control_character:
      return "control character";
    case jid_errc::invalid_utf8:
      return "invalid UTF-8";
    case jid_errc::invalid_domainpart:
      return "invalid domainpart";
    case jid_errc::preparation_failed:
      return "stringprep refused the JID";
  }
  return "invalid JID";
}

// The code point at s[i] of text already known to be valid UTF-8.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  auto const lead = static_cast<unsigned char>(s[i++]);
  if (lead < 0x80) return lead;
  int const extra = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : 1;
  char32_t cp = lead & (0x3F >> extra);
  for (int k = 0; k < extra; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
  return cp;
}

// Cc: C0, DEL and C1 controls.
bool is_control(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

// Zs, plus the line and paragraph separators.
bool is_space(char32_t cp) {
  return cp == 0x20 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
         cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

// RFC 7622 section 3.3.1: the characters that would make a JID ambiguous or
// unsafe in XML.
bool is_forbidden_in_localpart(char32_t cp) {
  return cp < 0x80 && std::string_view("\"&'/:<>@").find(static_cast<char>(cp)) != std::string_view::npos;
}

result<void> check_part(std::string_view part, bool is_local) {
  if (!util::is_valid_utf8(part)) return make_error(jid_errc::invalid_utf8);
  for (std::size_t i = 0; i < part.size();) {
    char32_t const cp = next_code_point(part, i);
    if (is_control(cp)) return make_error(jid_errc::control_character);
    if (is_local && (is_space(cp) || is_forbidden_in_localpart(cp))) {
      return make_error(jid_errc::forbidden_localpart_character);
    }
  }
  return {};
}

}  // namespace

std::error_category const& jid_category() noexcept {
  static jid_category_impl const instance;
  return instance;
}

result<jid_parts> split_jid(std::string_view jid) {
  if (jid.empty()) return make_error(jid_errc::empty);
  jid_parts parts;
  std::string_view bare = jid;
  if (auto const slash = jid.find('/'); slash != std::string_view::npos) {
    parts.has_resourcepart = true;
    parts.resourcepart = jid.substr(slash + 1);
    bare = jid.substr(0, slash);
  }
  parts.domainpart = bare;
  if (auto const at = bare.find('@'); at != std::string_view::npos) {
    parts.has_localpart = true;
    parts.localpart = bare.substr(0, at);
    parts.domainpart = bare.substr(at + 1);
  }
  if (parts.domainpart.find('@') != std::string_view::npos) return make_error(jid_errc::more_than_one_at);
  if (parts.has_localpart && parts.localpart.empty()) return make_error(jid_errc::empty_localpart);
  if (parts.domainpart.empty()) return make_error(jid_errc::empty_domainpart);
  if (parts.has_resourcepart && parts.resourcepart.empty()) return make_error(jid_errc::empty_resourcepart);
  if (parts.localpart.size() > max_jid_part_bytes) return make_error(jid_errc::localpart_too_long);
  if (parts.domainpart.size() > max_jid_part_bytes) return make_error(jid_errc::domainpart_too_long);
  if (parts.resourcepart.size() > max_jid_part_bytes) return make_error(jid_errc::resourcepart_too_long);
  return parts;
}

result<void> check_localpart(std::string_view local) {
  return check_part(local, true);
}

result<void> check_resourcepart(std::string_view resource) {
  return check_part(resource, false);
}

}  // namespace posta::jabber::xml
