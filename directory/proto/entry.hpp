// A directory entry as the rest of Posta sees it: its DN and its attributes,
// each with its values as raw bytes (objectGUID and thumbnailPhoto are
// binary). Produced by directory/ldap from libldap's answers; consumed by the
// pure mapping and sync planning in directory/proto.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace posta::directory::proto {

struct attribute {
  std::string name;  // as the server sent it ("member;range=0-1499" stays ranged)
  std::vector<std::string> values;
};

struct entry {
  std::string dn;
  std::vector<attribute> attributes;

  // The values of `name` (ASCII case-insensitive, as LDAP attribute
  // descriptions are), or nullptr when the entry has none.
  std::vector<std::string> const* values(std::string_view name) const;
  // The first value of `name`, or "" when there is none.
  std::string_view first(std::string_view name) const;
};

}  // namespace posta::directory::proto
