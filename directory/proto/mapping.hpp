// From a directory entry to the account or group Posta keeps for it, by an
// attribute mapping: the profiles `ad` and `openldap` preset one (MS-ADTS
// attribute names; RFC 4519/2798 and the nis and ppolicy schemas for
// OpenLDAP), and a source may override any attribute (profile `custom`
// starts from the OpenLDAP names).
#pragma once

#include "directory/proto/account_state.hpp"
#include "directory/proto/entry.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace posta::directory::proto {

enum class profile { ad, openldap, custom };
std::optional<profile> parse_profile(std::string_view name);
std::string_view name(profile p);

struct attribute_map {
  std::string login;  // the name a user logs in with (sAMAccountName / uid)
  std::string mail;
  std::string aliases;  // proxyAddresses ("smtp:" entries) or plain addresses
  bool aliases_are_proxy_addresses = false;
  std::string display_name;  // falls back to cn, then to given name + surname
  std::string uuid;          // objectGUID (binary) or entryUUID (text)
  bool uuid_is_guid = false;
  std::string member_of;  // the user's groups (memberOf, operational in OpenLDAP)
  std::string member;     // a group's members (DNs)
  std::string photo;      // thumbnailPhoto / jpegPhoto
  // Attributes kept as they are, for vCards, the address book and signatures:
  // (Posta's key, the directory's attribute).
  std::vector<std::pair<std::string, std::string>> details;
  std::string default_user_filter;
  std::string default_group_filter;
  std::string bind_name;  // "dn", or "upn" (AD: userPrincipalName, the DN otherwise)
};

attribute_map preset(profile p);

// Posta's keys that a source may map to another attribute: login, mail,
// aliases, display_name, uuid, member_of, member, photo and every details
// key (given_name, surname, phone, mobile, pager, title, department,
// company, description, info, url, street, city, region, postal_code,
// country, postal_address, ou; upn for AD). False when `key` is none of them.
bool override_attribute(attribute_map& map, std::string_view key, std::string attribute);

// The attributes a user or group search asks for.
std::vector<std::string> requested_attributes(attribute_map const& map);

struct directory_user {
  std::string uuid;
  std::string dn;
  std::string login;
  std::string mail;                  // lowercased
  std::vector<std::string> aliases;  // lowercased, sorted, without `mail`
  std::string display_name;
  std::vector<std::pair<std::string, std::string>> details;  // sorted by key; the first value of each
  std::optional<std::string> photo;
  std::optional<std::string> photo_sha256;  // filled by the caller (proto does no hashing)
  account_state state = account_state::enabled;
  std::vector<std::string> member_of;  // group DNs
};

struct directory_group {
  std::string uuid;
  std::string dn;
  std::string name;
  std::string mail;                  // "" when the group has none
  std::vector<std::string> members;  // member DNs
  bool operator==(directory_group const&) const = default;
};

// An entry that cannot become an account says why (no mail address, no
// stable identity…): the sync reports it and goes on.
struct mapped_user {
  std::optional<directory_user> user;
  std::string skipped_because;
};
struct mapped_group {
  std::optional<directory_group> group;
  std::string skipped_because;
};

// Whether the entry may log in, from whichever of AD's and OpenLDAP's state
// attributes it carries (state_attributes_names() are the ones to ask for).
account_state entry_state(entry const& e, std::int64_t now);
std::vector<std::string> state_attribute_names();

// `now`: Unix seconds, for accountExpires and lock times.
mapped_user map_user(entry const& e, attribute_map const& map, std::int64_t now);
mapped_group map_group(entry const& e, attribute_map const& map);

}  // namespace posta::directory::proto
