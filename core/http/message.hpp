// HTTP request and response values as handlers see them, with the JSON
// helpers of the admin API (docs/api.md: error shape). No Beast here.
#pragma once

#include "core/util/result.hpp"

#include <boost/json/fwd.hpp>

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace posta::http {

struct request {
  std::string method;    // uppercase: "GET", "POST", …
  std::string path;      // percent-decoded, without the query
  std::string raw_path;  // as sent (still encoded); the router splits this one
  std::map<std::string, std::string> query;    // decoded names and values
  std::map<std::string, std::string> headers;  // lowercase names; repeats joined by ", "
  std::string body;
  std::string remote_address;  // "127.0.0.1:54321" or "[::1]:54321"
  bool secure = false;         // arrived over TLS (the https listener)

  // The peer is 127.0.0.0/8 or ::1 (for settings that allow plaintext there).
  bool from_loopback() const;

  // The header's value, or "" when absent. `name` must be lowercase.
  std::string_view header(std::string_view name) const;
};

struct response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra ones
};

// `value` serialised as the body, Content-Type application/json.
response json_response(int status, boost::json::value const& value);

// {"error": {"code": code, "message": message}} with the given status.
response error_response(int status, std::string_view code, std::string_view message);

// Maps an operational error to the API's code and status
// (errc::not_found → 404 not_found, errc::already_exists → 409, …).
response error_response(error const& e);

// The request body as a JSON object. Fails with errc::invalid_argument
// ("malformed JSON body" / "JSON body is not an object", or a duplicate member
// name or NUL in a string: see strict_json.hpp); callers answer with
// error_response(400, "bad_request", …) via bad_request_response().
result<boost::json::object> parse_json_body(request const& req);

// 400 bad_request for a parse_json_body() failure.
response bad_request_response(error const& e);

}  // namespace posta::http
