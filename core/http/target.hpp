// Pure parsing of an HTTP request-target in origin form (RFC 9112 §3.2.1):
// path and query split, percent-decoding (RFC 3986 §2.1), form-style query
// parameters (application/x-www-form-urlencoded: '+' is a space).
#pragma once

#include "core/util/result.hpp"

#include <map>
#include <string>
#include <string_view>

namespace posta::http {

// Decodes %XX escapes; with `plus_is_space`, '+' becomes ' '. Fails with
// errc::invalid_argument on a truncated or non-hex escape or a decoded NUL.
result<std::string> percent_decode(std::string_view in, bool plus_is_space = false);

// Encodes every byte outside RFC 3986 unreserved characters as %XX.
std::string percent_encode(std::string_view in);

struct parsed_target {
  std::string raw_path;  // still encoded
  std::string path;      // decoded
  std::map<std::string, std::string> query;  // a repeated name keeps its last value
};

// Fails with errc::invalid_argument unless the target starts with '/' and
// every escape is well formed.
result<parsed_target> parse_target(std::string_view target);

}  // namespace posta::http
