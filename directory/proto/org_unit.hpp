// The organisational unit of a user for the signature variables [ou] and
// [ounotes] (issue 12): its name from the entry's ou attribute or else the
// first OU= of its DN (RFC 4514 RDNs; in AD the OU is where the account
// lives), and that OU entry's description. Pure: the sync reads the OU
// entries (directory/sync/fetch_units) and stores the description with the
// account's attributes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace posta::directory::proto {

struct org_unit {
  std::string dn;
  std::string name;  // its ou value
  std::string description;
};

// "CN=Ann,OU=Sales,DC=corp" → "Sales" (escapes such as "\," kept as they
// are); "" when the DN has no OU= RDN.
std::string first_ou(std::string_view dn);

// The DN of that OU entry: "CN=Ann,OU=Sales,DC=corp" → "OU=Sales,DC=corp".
std::string first_ou_dn(std::string_view dn);

// The unit of a user with DN `user_dn` whose ou attribute is `named` (may be
// empty): with a name, the unit of that name enclosing the user nearest, else
// the first of that name (none: nullopt, as [ou] then names no unit we
// know); without one, the unit of the DN's first OU=. Names and DNs compare
// ASCII case-insensitively.
std::optional<org_unit> unit_of(std::string_view user_dn, std::string_view named, std::vector<org_unit> const& units);

}  // namespace posta::directory::proto
