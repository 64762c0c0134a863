// The global address list's cards (issue 14 "GAL"): one vCard 3.0 per
// account, distribution list or group with a mail address, made from the
// identity data and the stored directory attributes (keys of
// directory/proto/mapping: given_name, surname, phone, mobile, pager,
// title, department, company, description, info, url, street, city,
// region, postal_code, country, postal_address). 3.0 is what every
// CardDAV client reads. Pure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace posta::addressbook::proto {

struct gal_entry {
  enum class kind { account, group } what = kind::account;
  std::int64_t id = 0;
  std::string address;
  std::string display_name;
  std::vector<std::string> aliases;
  std::map<std::string, std::string> attributes;  // the directory's, by Posta's key
  std::optional<std::string> photo;               // JPEG or PNG bytes
  std::vector<std::string> members;               // a group's member addresses
};

// The card's resource name in the gal collection ("account-12.vcf") and UID.
std::string gal_resource(gal_entry const& e);
std::string gal_vcard(gal_entry const& e);

}  // namespace posta::addressbook::proto
