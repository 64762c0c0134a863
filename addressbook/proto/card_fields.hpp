// The fields of a vCard that a server indexes and shows (RFC 6350 6): names,
// addresses, phones, organisation, photo — read from any version's spelling
// (3.0's TYPE=pref, 4.0's PREF, 2.1's quoted-printable and charsets) into one
// shape, for search, addressbook-query (RFC 6352 8.6), autocomplete and the
// CLI. Pure.
#pragma once

#include "addressbook/proto/value.hpp"
#include "addressbook/proto/vcard.hpp"

#include <optional>
#include <string>
#include <vector>

namespace posta::addressbook::proto {

struct typed_value {
  std::string value;
  std::vector<std::string> types;  // lower-case: "work", "cell", "internet"
  int pref = 100;                  // 1 is most preferred (RFC 6350 5.3); 3.0's TYPE=pref is 1
};

struct card_fields {
  std::string uid;
  std::string kind;  // "individual" (the default), "group", "org", "location"
  std::string formatted_name;  // FN, or one made from N, ORG or the first e-mail when missing
  std::string family_name, given_name, additional_names, name_prefix, name_suffix;
  std::string nickname, organization, department, title, role, note, url, birthday, revision;
  std::vector<typed_value> emails;   // ordered by pref, then as written
  std::vector<typed_value> phones;   // TEL
  std::vector<typed_value> addresses;  // ADR, as one line of its non-empty components
  std::vector<typed_value> impps;    // IMPP / X-JABBER
  std::vector<std::string> categories;
  std::optional<binary_value> photo;
  // Properties whose value could not be decoded (bad charset, base64):
  // left out of the fields above, named here.
  std::vector<std::string> unreadable;
};

card_fields extract_fields(vcard const& card);

}  // namespace posta::addressbook::proto
