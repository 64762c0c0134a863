// Reading typed fields of a JSON request body, with messages that name the
// field: {"error": {"code": "bad_request", "message": "field 'quota_bytes' must be a whole number"}}.
#pragma once

#include "core/http/message.hpp"
#include "core/util/result.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace posta::api {

result<std::string> required_string(boost::json::object const& body, std::string_view field);
result<std::optional<std::string>> optional_string(boost::json::object const& body, std::string_view field);
result<std::optional<std::int64_t>> optional_int(boost::json::object const& body, std::string_view field);
result<std::optional<bool>> optional_bool(boost::json::object const& body, std::string_view field);
result<std::vector<std::string>> required_string_list(boost::json::object const& body, std::string_view field);

// 400 bad_request for a field error, else the error's own mapping.
http::response field_error(error const& e);

// The optional ?domain= filter of list routes.
std::optional<std::string> domain_filter(http::request const& req);

}  // namespace posta::api
