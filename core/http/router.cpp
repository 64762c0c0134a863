// Route table lookup, 404/405 (RFC 9110 §15.5.5–6, Allow §10.2.1) and the
// bearer-token guard (RFC 6750 §2.1, §3: WWW-Authenticate on 401).
#include "core/http/router.hpp"

#include "core/http/target.hpp"
#include "core/util/ascii.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <set>

namespace posta::http {

void route_params::add(std::string name, std::string value) {
  items_.emplace_back(std::move(name), std::move(value));
}

std::string_view route_params::get(std::string_view name) const {
  for (auto const& [k, v] : items_)
    if (k == name) return v;
  return {};
}

bool route_params::has(std::string_view name) const {
  return std::any_of(items_.begin(), items_.end(), [&](auto const& kv) { return kv.first == name; });
}

struct router::token_state {
  std::mutex mutex;
  std::string token;
};

router::router() : token_(std::make_shared<token_state>()) {}

namespace {

// "/a/b/c" → {"a","b","c"}; "/" → {}; "/a/" → {"a",""}.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path == "/") return out;
  if (path.front() == '/') path.remove_prefix(1);
  for (;;) {
    auto const slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void router::add(std::string method, std::string_view pattern, handler h) {
  route r{std::move(method), {}, std::move(h)};
  for (auto segment : split_path(pattern)) r.segments.emplace_back(segment);
  routes_.push_back(std::move(r));
}

void router::guard(std::string prefix) {
  while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
  guard_prefix_ = std::move(prefix);
}

void router::set_token(std::string token) {
  std::lock_guard lock(token_->mutex);
  token_->token = std::move(token);
}

bool router::is_guarded(std::string_view path) const {
  if (guard_prefix_.empty()) return false;
  if (!path.starts_with(guard_prefix_)) return false;
  // Segment boundary: "/api/v1" guards "/api/v1/x", not "/api/v1x".
  return path.size() == guard_prefix_.size() || path[guard_prefix_.size()] == '/' ||
         guard_prefix_ == "/";
}

bool constant_time_equal(std::string_view given, std::string_view expected) {
  // SECURITY: no early exit on the first differing byte, and the loop length
  // is the expected token's, so timing reveals neither prefix nor content.
  unsigned diff = given.size() == expected.size() ? 0u : 1u;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    unsigned char const g = given.empty() ? 0 : static_cast<unsigned char>(given[i % given.size()]);
    diff |= g ^ static_cast<unsigned char>(expected[i]);
  }
  return diff == 0;
}

namespace {

bool iequals(std::string_view a, std::string_view b) { return util::ascii_iequals(a, b); }

// The credentials of "Authorization: Bearer <token>", or "" (RFC 6750 §2.1;
// the scheme name is case-insensitive, RFC 9110 §11.1).
std::string_view bearer_token(std::string_view value) {
  constexpr std::string_view scheme = "bearer";
  if (value.size() <= scheme.size() || !iequals(value.substr(0, scheme.size()), scheme)) return {};
  if (value[scheme.size()] != ' ') return {};
  value.remove_prefix(scheme.size());
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return value;
}

}  // namespace

bool router::is_authorized(request const& req) const {
  std::string expected;
  {
    std::lock_guard lock(token_->mutex);
    expected = token_->token;
  }
  // SECURITY: an unset token locks the API rather than opening it.
  if (expected.empty()) return false;
  auto const given = bearer_token(req.header("authorization"));
  return !given.empty() && constant_time_equal(given, expected);
}

namespace {

// Binds `path` against `pattern`, filling `params` only on a fit.
enum class fit { yes, no, bad_escape };

fit fit_pattern(std::vector<std::string> const& pattern, std::vector<std::string_view> const& path,
                route_params& params) {
  if (pattern.size() != path.size()) return fit::no;
  route_params bound;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    auto decoded = percent_decode(path[i]);
    if (!decoded) return fit::bad_escape;
    if (is_param(pattern[i])) {
      if (decoded->empty()) return fit::no;
      bound.add(pattern[i].substr(1, pattern[i].size() - 2), std::move(*decoded));
    } else if (*decoded != pattern[i]) {
      return fit::no;
    }
  }
  params = std::move(bound);
  return fit::yes;
}

std::string join_methods(std::set<std::string> const& methods) {
  std::string out;
  for (auto const& m : methods) out += (out.empty() ? "" : ", ") + m;
  return out;
}

}  // namespace

route_match router::match(std::string_view method, std::string_view raw_path) const {
  auto const path = split_path(raw_path);
  route_match out;
  std::set<std::string> allowed;
  for (auto const& r : routes_) {
    route_params params;
    auto const f = fit_pattern(r.segments, path, params);
    if (f == fit::bad_escape) return route_match{match_kind::bad_request, nullptr, {}, {}};
    if (f == fit::no) continue;
    if (r.method == method) return route_match{match_kind::found, &r.target, std::move(params), {}};
    allowed.insert(r.method);
  }
  if (allowed.empty()) return out;
  out.kind = match_kind::method_not_allowed;
  out.allow = join_methods(allowed);
  return out;
}

void router::mount(std::string prefix, handler h) { mounts_.emplace_back(std::move(prefix), std::move(h)); }

namespace {

bool is_at_or_below(std::string_view path, std::string_view prefix) {
  return path.starts_with(prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/');
}

}  // namespace

boost::asio::awaitable<response> router::dispatch(request const& req) const {
  std::string_view const raw = req.raw_path.empty() ? std::string_view{req.path} : req.raw_path;
  // SECURITY: both spellings are checked, so no encoding slips past the guard.
  if ((is_guarded(req.path) || is_guarded(raw)) && !is_authorized(req)) {
    auto r = error_response(401, "unauthorized", "missing or wrong admin token");
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"posta\"");
    co_return r;
  }
  route_params const none;
  for (auto const& [prefix, mounted] : mounts_)
    if (is_at_or_below(raw, prefix)) co_return co_await mounted(req, none);
  auto m = match(req.method, raw);
  switch (m.kind) {
    case match_kind::found: co_return co_await (*m.target)(req, m.params);
    case match_kind::bad_request: co_return error_response(400, "bad_request", "bad percent-encoding in path");
    case match_kind::not_found: co_return error_response(404, "not_found", "no such route");
    case match_kind::method_not_allowed: break;
  }
  auto r = error_response(405, "method_not_allowed", "method " + req.method + " not allowed here");
  r.headers.emplace_back("Allow", m.allow);
  co_return r;
}

}  // namespace posta::http
