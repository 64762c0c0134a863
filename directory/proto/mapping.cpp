#include "directory/proto/mapping.hpp"

#include "core/util/ascii.hpp"
#include "directory/proto/identity_values.hpp"

#include <algorithm>

namespace posta::directory::proto {
namespace {

using details_list = std::vector<std::pair<std::string, std::string>>;

// Posta's keys for what vCards, the address book and signatures show.
details_list details_for(profile p) {
  bool const ad = p == profile::ad;
  details_list out{{"given_name", "givenName"},
                   {"surname", "sn"},
                   {"phone", "telephoneNumber"},
                   {"mobile", "mobile"},
                   {"pager", "pager"},
                   {"title", "title"},
                   {"department", ad ? "department" : "departmentNumber"},
                   {"company", ad ? "company" : "o"},
                   {"description", "description"},
                   {"info", "info"},
                   {"url", ad ? "wWWHomePage" : "labeledURI"},
                   {"street", ad ? "streetAddress" : "street"},
                   {"city", "l"},
                   {"region", "st"},
                   {"postal_code", "postalCode"},
                   {"country", ad ? "co" : "c"},
                   {"postal_address", "postalAddress"},
                   {"ou", ad ? "physicalDeliveryOfficeName" : "ou"}};
  // AD: the user's bind name. Unlike the DN it survives a rename or a move
  // to another OU, so logins keep working until the next sync notices.
  if (ad) out.emplace_back("upn", "userPrincipalName");
  return out;
}

std::optional<std::string> stable_id(entry const& e, attribute_map const& map) {
  auto const raw = e.first(map.uuid);
  if (raw.empty()) return std::nullopt;
  return map.uuid_is_guid ? guid_text(raw) : uuid_text(raw);
}

std::vector<std::string> alias_addresses(entry const& e, attribute_map const& map, std::string const& mail) {
  std::vector<std::string> out;
  if (auto const* values = e.values(map.aliases)) {
    if (map.aliases_are_proxy_addresses) {
      out = parse_proxy_addresses(*values).aliases;
    } else {
      for (auto const& v : *values)
        if (is_plausible_address(v)) out.push_back(util::ascii_lowercase(v));
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  std::erase(out, mail);
  return out;
}

std::string display_name_of(entry const& e, attribute_map const& map) {
  if (auto n = e.first(map.display_name); !n.empty()) return std::string(n);
  if (auto cn = e.first("cn"); !cn.empty()) return std::string(cn);
  std::string given(e.first("givenName")), sn(e.first("sn"));
  return given.empty() || sn.empty() ? given + sn : given + " " + sn;
}

}  // namespace

account_state entry_state(entry const& e, std::int64_t now) {
  auto opt = [&](std::string_view name) -> std::optional<std::string> {
    auto const* v = e.values(name);
    return v == nullptr || v->empty() ? std::nullopt : std::optional<std::string>(v->front());
  };
  return state_of({opt("userAccountControl"), opt("accountExpires"), opt("pwdAccountLockedTime"), opt("nsAccountLock")},
                  now);
}

std::vector<std::string> state_attribute_names() {
  return {"userAccountControl", "accountExpires", "pwdAccountLockedTime", "nsAccountLock"};
}

std::optional<profile> parse_profile(std::string_view n) {
  if (n == "ad") return profile::ad;
  if (n == "openldap") return profile::openldap;
  if (n == "custom") return profile::custom;
  return std::nullopt;
}

std::string_view name(profile p) {
  switch (p) {
    case profile::ad:
      return "ad";
    case profile::openldap:
      return "openldap";
    case profile::custom:
      return "custom";
  }
  return "custom";
}

attribute_map preset(profile p) {
  if (p == profile::ad)
    return {"sAMAccountName",
            "mail",
            "proxyAddresses",
            true,
            "displayName",
            "objectGUID",
            true,
            "memberOf",
            "member",
            "thumbnailPhoto",
            details_for(p),
            "(&(objectCategory=person)(objectClass=user))",
            "(objectClass=group)",
            "upn"};
  return {"uid",
          "mail",
          "mailAlternateAddress",
          false,
          "displayName",
          "entryUUID",
          false,
          "memberOf",
          "member",
          "jpegPhoto",
          details_for(p),
          "(objectClass=inetOrgPerson)",
          "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))",
          "dn"};
}

bool override_attribute(attribute_map& map, std::string_view key, std::string attribute) {
  std::string* named[] = {&map.login, &map.mail,      &map.aliases, &map.display_name,
                          &map.uuid,  &map.member_of, &map.member,  &map.photo};
  std::string_view const keys[] = {"login", "mail", "aliases", "display_name", "uuid", "member_of", "member", "photo"};
  for (std::size_t i = 0; i < std::size(keys); ++i)
    if (key == keys[i]) return *named[i] = std::move(attribute), true;
  for (auto& [k, a] : map.details)
    if (k == key) return a = std::move(attribute), true;
  return false;
}

std::vector<std::string> requested_attributes(attribute_map const& map) {
  std::vector<std::string> out{map.login,  map.aliases, map.display_name, map.uuid, map.member_of, map.photo,
                               map.member, map.mail,    "cn",             "userPrincipalName",  "isDeleted"};
  for (auto& a : state_attribute_names()) out.push_back(std::move(a));
  for (auto const& [key, attribute] : map.details) out.push_back(attribute);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

mapped_user map_user(entry const& e, attribute_map const& map, std::int64_t now) {
  auto uuid = stable_id(e, map);
  if (!uuid) return {std::nullopt, "no stable identity (" + map.uuid + ")"};
  auto const login = e.first(map.login);
  if (login.empty()) return {std::nullopt, "no login name (" + map.login + ")"};
  auto mail = util::ascii_lowercase(e.first(map.mail));
  if (mail.empty() && map.aliases_are_proxy_addresses)
    if (auto const* proxies = e.values(map.aliases)) mail = parse_proxy_addresses(*proxies).primary.value_or("");
  if (mail.empty()) return {std::nullopt, "no mail address (" + map.mail + ")"};
  if (!is_plausible_address(mail)) return {std::nullopt, "mail address '" + mail + "' is not an address"};

  directory_user u;
  u.uuid = std::move(*uuid);
  u.dn = e.dn;
  u.login = std::string(login);
  u.aliases = alias_addresses(e, map, mail);
  u.mail = std::move(mail);
  u.display_name = display_name_of(e, map);
  for (auto const& [key, attribute] : map.details)
    if (auto v = e.first(attribute); !v.empty()) u.details.emplace_back(key, std::string(v));
  std::sort(u.details.begin(), u.details.end());
  if (auto photo = e.first(map.photo); !photo.empty()) u.photo = std::string(photo);
  u.state = entry_state(e, now);
  if (auto const* groups = e.values(map.member_of)) u.member_of = *groups;
  return {std::move(u), {}};
}

mapped_group map_group(entry const& e, attribute_map const& map) {
  auto uuid = stable_id(e, map);
  if (!uuid) return {std::nullopt, "no stable identity (" + map.uuid + ")"};
  directory_group g;
  g.uuid = std::move(*uuid);
  g.dn = e.dn;
  g.name = display_name_of(e, map);
  g.mail = util::ascii_lowercase(e.first(map.mail));
  if (!g.mail.empty() && !is_plausible_address(g.mail)) g.mail.clear();
  if (auto const* members = e.values(map.member)) g.members = *members;
  return {std::move(g), {}};
}

}  // namespace posta::directory::proto
