// A readable routing table for the HTTP listener: method + path pattern →
// coroutine handler, with "{name}" segment parameters, 404/405 answers
// (RFC 9110 §15.5.5, §15.5.6) and a bearer-token guard (RFC 6750 §2.1).
#pragma once

#include "core/http/message.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace posta::http {

// Values of the "{name}" segments of the matched pattern, percent-decoded.
class route_params {
 public:
  void add(std::string name, std::string value);
  // The value, or "" when the pattern has no such parameter.
  std::string_view get(std::string_view name) const;
  bool has(std::string_view name) const;
  std::size_t size() const { return items_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

using handler = std::function<boost::asio::awaitable<response>(request const&, route_params const&)>;

enum class match_kind { found, not_found, method_not_allowed, bad_request };

struct route_match {
  match_kind kind = match_kind::not_found;
  handler const* target = nullptr;  // set when found; points into the router
  route_params params;
  std::string allow;  // for method_not_allowed: "DELETE, GET"
};

class router {
 public:
  router();

  // `pattern` is a path such as "/api/v1/groups/{address}/members/{member}";
  // a "{name}" segment matches exactly one non-empty path segment. Routes
  // are added at start-up, before the router is shared between threads.
  void add(std::string method, std::string_view pattern, handler h);

  // Every request (any method) for `prefix` or a path below it goes to `h`,
  // which has its own path grammar and methods (WebDAV under /dav).
  void mount(std::string prefix, handler h);

  // SECURITY: every path equal to `prefix` or below it ("/api/v1/…") needs
  // "Authorization: Bearer <token>"; while the token is empty, nothing passes.
  void guard(std::string prefix);

  // Replaces the token at run time; safe to call from any thread.
  void set_token(std::string token);

  bool is_guarded(std::string_view path) const;
  bool is_authorized(request const& req) const;

  // Pure lookup on the encoded path (request::raw_path).
  route_match match(std::string_view method, std::string_view raw_path) const;

  // Guard, lookup, then the handler; every refusal is a JSON error response.
  // A handler's exception propagates to the caller (the connection answers 500).
  boost::asio::awaitable<response> dispatch(request const& req) const;

 private:
  struct route {
    std::string method;
    std::vector<std::string> segments;  // "{name}" for a parameter
    handler target;
  };
  struct token_state;

  std::vector<route> routes_;
  std::vector<std::pair<std::string, handler>> mounts_;
  std::string guard_prefix_;
  std::shared_ptr<token_state> token_;
};

// Compares in time that depends only on `expected`'s length.
bool constant_time_equal(std::string_view given, std::string_view expected);

}  // namespace posta::http
