// message_structure <-> JSON, stored per message in a PostgreSQL jsonb column
// so that IMAP FETCH never parses the message again. Compact keys; all
// strings valid UTF-8 without NUL (jsonb needs both), raw bytes otherwise
// stored as {"x": "<hex>"}.
#pragma once

#include "core/util/result.hpp"
#include "mail/mime/proto/message_structure.hpp"

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace posta::mail::mime {

// Bumped when the layout changes; from_json refuses other versions.
inline constexpr int structure_json_version = 1;

boost::json::value to_json(message_structure const& ms);

// Fails with errc::invalid_argument on a wrong version, wrong types or
// offsets that do not fit the message size. Never throws.
result<message_structure> from_json(boost::json::value const& v);

// Text forms. from_json_text raises Boost.JSON's nesting limit (default 32),
// which deep but legal structures exceed.
std::string to_json_text(message_structure const& ms);
result<message_structure> from_json_text(std::string_view text);

}  // namespace posta::mail::mime
