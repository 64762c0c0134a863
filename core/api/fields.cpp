// JSON body field readers for the admin API.
#include "core/api/fields.hpp"

#include <charconv>

namespace posta::api {
namespace {

error field_type(std::string_view field, std::string_view what) {
  return make_error(errc::protocol_error, "field '" + std::string(field) + "' must be " + std::string(what));
}

}  // namespace

result<std::string> required_string(boost::json::object const& body, std::string_view field) {
  auto const* v = body.if_contains(field);
  if (!v) return make_error(errc::protocol_error, "field '" + std::string(field) + "' is required");
  if (!v->is_string()) return field_type(field, "a string");
  return std::string(v->as_string());
}

result<std::optional<std::string>> optional_string(boost::json::object const& body, std::string_view field) {
  auto const* v = body.if_contains(field);
  if (!v || v->is_null()) return std::optional<std::string>{};
  if (!v->is_string()) return field_type(field, "a string");
  return std::optional<std::string>{std::string(v->as_string())};
}

result<std::optional<std::int64_t>> optional_int(boost::json::object const& body, std::string_view field) {
  auto const* v = body.if_contains(field);
  if (!v || v->is_null()) return std::optional<std::int64_t>{};
  if (v->is_int64()) return std::optional<std::int64_t>{v->as_int64()};
  if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return std::optional<std::int64_t>{static_cast<std::int64_t>(v->as_uint64())};
  return field_type(field, "a whole number");
}

result<std::optional<bool>> optional_bool(boost::json::object const& body, std::string_view field) {
  auto const* v = body.if_contains(field);
  if (!v || v->is_null()) return std::optional<bool>{};
  if (!v->is_bool()) return field_type(field, "true or false");
  return std::optional<bool>{v->as_bool()};
}

result<std::vector<std::string>> required_string_list(boost::json::object const& body, std::string_view field) {
  auto const* v = body.if_contains(field);
  if (!v) return make_error(errc::protocol_error, "field '" + std::string(field) + "' is required");
  if (!v->is_array()) return field_type(field, "a list of strings");
  std::vector<std::string> out;
  for (auto const& item : v->as_array()) {
    if (!item.is_string()) return field_type(field, "a list of strings");
    out.emplace_back(item.as_string());
  }
  return out;
}

http::response field_error(error const& e) {
  if (e.code == errc::protocol_error) return http::error_response(400, "bad_request", e.context);
  return http::error_response(e);
}

std::optional<std::string> domain_filter(http::request const& req) {
  auto it = req.query.find("domain");
  if (it == req.query.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

result<int> query_int(http::request const& req, std::string const& name, int fallback) {
  auto it = req.query.find(name);
  if (it == req.query.end()) return fallback;
  int v = 0;
  auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (ec != std::errc() || end != it->second.data() + it->second.size())
    return make_error(errc::invalid_argument, name + " must be a whole number");
  return v;
}

}  // namespace posta::api
