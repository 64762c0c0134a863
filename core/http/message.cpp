// JSON helpers of the admin API: responses, the error shape of docs/api.md
// and the mapping from posta::errc to API codes and statuses.
#include "core/http/message.hpp"

#include "core/http/strict_json.hpp"

#include <boost/json.hpp>

namespace posta::http {

std::string_view request::header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string_view{} : std::string_view{it->second};
}

bool request::from_loopback() const {
  std::string_view const a = remote_address;
  return a.starts_with("127.") || a.starts_with("[::1]:") || a.starts_with("[::ffff:127.");
}

response json_response(int status, boost::json::value const& value) {
  response r;
  r.status = status;
  r.body = boost::json::serialize(value);
  return r;
}

response error_response(int status, std::string_view code, std::string_view message) {
  boost::json::object inner;
  inner["code"] = code;
  inner["message"] = message;
  boost::json::object outer;
  outer["error"] = std::move(inner);
  return json_response(status, outer);
}

namespace {

struct api_code {
  int status;
  std::string_view code;
};

api_code api_code_for(std::error_code const& code) {
  if (code.category() != posta_category()) return {500, "internal"};
  switch (static_cast<errc>(code.value())) {
    case errc::invalid_argument: return {400, "invalid_argument"};
    case errc::protocol_error: return {400, "bad_request"};
    case errc::not_found: return {404, "not_found"};
    case errc::already_exists: return {409, "already_exists"};
    case errc::conflict: return {409, "conflict"};
    case errc::permission_denied: return {403, "forbidden"};
    case errc::limit_exceeded: return {409, "conflict"};
    case errc::unavailable:
    case errc::io_error: return {503, "unavailable"};
    default: return {500, "internal"};
  }
}

}  // namespace

response error_response(error const& e) {
  auto const mapped = api_code_for(e.code);
  // SECURITY: a 500 is a bug; its context may name internals (SQL, paths),
  // so the client gets a fixed message and the details stay in the journal.
  if (mapped.status == 500) return error_response(500, mapped.code, "internal error");
  std::string const message = e.context.empty() ? e.code.message() : e.context;
  return error_response(mapped.status, mapped.code, message);
}

result<boost::json::object> parse_json_body(request const& req) {
  boost::system::error_code ec;
  // SECURITY: the non-throwing parse; the body size was bounded by the connection.
  boost::json::value v = boost::json::parse(req.body, ec);
  if (ec) return make_error(errc::invalid_argument, "malformed JSON body");
  // SECURITY: one meaning per body: no duplicate names, no NUL in strings.
  if (auto strict = check_strict_json(req.body); !strict) return strict.error();
  if (!v.is_object()) return make_error(errc::invalid_argument, "JSON body is not an object");
  return std::move(v.as_object());
}

response bad_request_response(error const& e) {
  return error_response(400, "bad_request", e.context.empty() ? e.code.message() : e.context);
}

}  // namespace posta::http
