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

// 400 bad_request for a body or field error, else the error's own mapping.
http::response field_error(error const& e);

// The request's JSON body, read by `read` (object -> result<T>). A malformed
// body fails like a bad field, so one field_error() answers both.
template <class Read>
auto read_body(http::request const& req, Read read) -> decltype(read(std::declval<boost::json::object const&>())) {
  auto body = http::parse_json_body(req);
  if (!body) return make_error(errc::protocol_error, body.error().context);
  return read(*body);
}

// The optional ?domain= filter of list routes.
std::optional<std::string> domain_filter(http::request const& req);

// The query parameter `name` as a whole number, `fallback` when absent.
result<int> query_int(http::request const& req, std::string const& name, int fallback);

}  // namespace posta::api
