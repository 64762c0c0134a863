// Values of directory attributes turned into Posta's: the stable identity of
// an entry (AD objectGUID, OpenLDAP entryUUID, RFC 4530), the mail addresses
// of AD's proxyAddresses, and ranged attribute retrieval (AD returns at most
// 1,500 values of `member` per answer as "member;range=0-1499").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace posta::directory::proto {

// The 16 raw bytes of an objectGUID in AD's textual form
// (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, the first three groups
// little-endian, lowercase); nullopt unless exactly 16 bytes.
std::optional<std::string> guid_text(std::string_view raw);

// An entryUUID (RFC 4530: RFC 4122 text) lowercased, or nullopt if malformed.
std::optional<std::string> uuid_text(std::string_view text);

// The 16 raw bytes of an RFC 4533 syncUUID (RFC 4122 order, no byte swapping,
// unlike objectGUID) as uuid_text gives an entryUUID; nullopt unless 16 bytes.
std::optional<std::string> uuid_bytes_text(std::string_view raw);

struct proxy_addresses {
  std::optional<std::string> primary;  // "SMTP:" (upper case marks the primary)
  std::vector<std::string> aliases;    // "smtp:", lowercased, without the primary
};

// Only SMTP entries count (X500:, SIP:, X400: … are other systems'); an entry
// that is not a plausible address is skipped.
proxy_addresses parse_proxy_addresses(std::vector<std::string> const& values);

// A plausible mail address as a directory holds it: one @, both sides
// non-empty, no spaces, controls or brackets, at most 254 bytes (RFC 5321 4.5.3.1.3).
bool is_plausible_address(std::string_view address);

struct ranged_attribute {
  std::string base;  // "member"
  std::int64_t low = 0;
  std::optional<std::int64_t> high;  // nullopt: "*", the last range
};

// "member;range=0-1499" → {member, 0, 1499}; "member;range=1500-*" →
// {member, 1500, nullopt}; nullopt when it names no range.
std::optional<ranged_attribute> parse_ranged(std::string_view description);

// The description that asks for the values after `got` ("member;range=1500-*").
std::string next_range(ranged_attribute const& got);

}  // namespace posta::directory::proto
