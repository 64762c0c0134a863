// Router: pattern matching, segment parameters, 404/405, the bearer-token guard.
#include "core/http/router.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

namespace posta::http {
namespace {

namespace asio = boost::asio;

// A handler that answers with its name and the parameters it was given.
handler echo(std::string name) {
  return [name](request const&, route_params const& p) -> asio::awaitable<response> {
    boost::json::object o{{"route", name}};
    for (auto key : {"name", "address", "member"})
      if (p.has(key)) o[key] = p.get(key);
    co_return json_response(200, o);
  };
}

router make_router() {
  router r;
  r.add("GET", "/", echo("root"));
  r.add("GET", "/api/v1/domains", echo("domains.list"));
  r.add("POST", "/api/v1/domains", echo("domains.add"));
  r.add("GET", "/api/v1/domains/{name}", echo("domains.show"));
  r.add("DELETE", "/api/v1/domains/{name}", echo("domains.rm"));
  r.add("GET", "/api/v1/accounts/{address}", echo("accounts.show"));
  r.add("PATCH", "/api/v1/accounts/{address}", echo("accounts.patch"));
  r.add("DELETE", "/api/v1/groups/{address}/members/{member}", echo("groups.member_rm"));
  r.add("POST", "/api/v1/groups/{address}/members", echo("groups.member_add"));
  r.add("GET", "/boom", [](request const&, route_params const&) -> asio::awaitable<response> {
    throw std::runtime_error("bug");
    co_return response{};
  });
  return r;
}

response run(router const& r, request const& req) {
  asio::io_context ctx;
  response out;
  std::exception_ptr error;
  asio::co_spawn(ctx, r.dispatch(req), [&](std::exception_ptr e, response resp) {
    error = e;
    out = std::move(resp);
  });
  ctx.run();
  if (error) std::rethrow_exception(error);
  return out;
}

request make_request(std::string method, std::string raw_path, std::string token = "") {
  request req;
  req.method = std::move(method);
  req.raw_path = raw_path;
  req.path = raw_path;
  if (!token.empty()) req.headers["authorization"] = "Bearer " + token;
  return req;
}

TEST(HttpRouter, MatchTable) {
  auto const r = make_router();
  struct row {
    std::string_view method, path;
    match_kind kind;
    std::string_view allow;
  };
  for (auto const& t : std::initializer_list<row>{
           {"GET", "/", match_kind::found, ""},
           {"GET", "/api/v1/domains", match_kind::found, ""},
           {"POST", "/api/v1/domains", match_kind::found, ""},
           {"PUT", "/api/v1/domains", match_kind::method_not_allowed, "GET, POST"},
           {"GET", "/api/v1/domains/x.test", match_kind::found, ""},
           {"POST", "/api/v1/domains/x.test", match_kind::method_not_allowed, "DELETE, GET"},
           {"GET", "/api/v1/domains/", match_kind::not_found, ""},
           {"GET", "/api/v1/domains/x/y", match_kind::not_found, ""},
           {"GET", "/api/v1/domain", match_kind::not_found, ""},
           {"GET", "/api/v1/nothing", match_kind::not_found, ""},
           {"GET", "/api/v1/domains/%zz", match_kind::bad_request, ""},
           {"DELETE", "/api/v1/groups/g@x/members/m@x", match_kind::found, ""},
           {"GET", "/api/v1/groups/g@x/members/m@x", match_kind::method_not_allowed, "DELETE"},
       }) {
    auto const m = r.match(t.method, t.path);
    EXPECT_EQ(m.kind, t.kind) << t.method << " " << t.path;
    EXPECT_EQ(m.allow, t.allow) << t.method << " " << t.path;
    EXPECT_EQ(m.target != nullptr, t.kind == match_kind::found);
  }
}

TEST(HttpRouter, ParamsArePercentDecodedPerSegment) {
  auto const r = make_router();
  auto m = r.match("DELETE", "/api/v1/groups/sales%40x.test/members/a%2Fb%40x.test");
  ASSERT_EQ(m.kind, match_kind::found);
  EXPECT_EQ(m.params.size(), 2u);
  EXPECT_EQ(m.params.get("address"), "sales@x.test");
  EXPECT_EQ(m.params.get("member"), "a/b@x.test");  // an encoded '/' stays inside its segment
  EXPECT_EQ(m.params.get("absent"), "");
}

TEST(HttpRouter, DispatchRunsTheHandler) {
  auto r = make_router();
  r.guard("/api/v1");
  r.set_token("s3cret");
  auto resp = run(r, make_request("PATCH", "/api/v1/accounts/bob%40x.test", "s3cret"));
  EXPECT_EQ(resp.status, 200);
  auto const v = boost::json::parse(resp.body);
  EXPECT_EQ(v.at("route").as_string(), "accounts.patch");
  EXPECT_EQ(v.at("address").as_string(), "bob@x.test");
}

TEST(HttpRouter, DispatchErrors) {
  auto r = make_router();
  auto nf = run(r, make_request("GET", "/nope"));
  EXPECT_EQ(nf.status, 404);
  EXPECT_EQ(boost::json::parse(nf.body).at("error").at("code").as_string(), "not_found");
  auto na = run(r, make_request("PUT", "/api/v1/domains"));
  EXPECT_EQ(na.status, 405);
  EXPECT_EQ(boost::json::parse(na.body).at("error").at("code").as_string(), "method_not_allowed");
  ASSERT_EQ(na.headers.size(), 1u);
  EXPECT_EQ(na.headers[0].first, "Allow");
  EXPECT_EQ(na.headers[0].second, "GET, POST");
  EXPECT_EQ(run(r, make_request("GET", "/api/v1/domains/%4")).status, 400);
}

TEST(HttpRouter, HandlerExceptionsPropagateToTheConnection) {
  auto r = make_router();
  EXPECT_THROW(run(r, make_request("GET", "/boom")), std::runtime_error);
}

TEST(HttpRouter, TokenGuard) {
  auto r = make_router();
  r.guard("/api/v1/");
  auto expect_401 = [&](request const& req) {
    auto resp = run(r, req);
    EXPECT_EQ(resp.status, 401) << req.raw_path;
    EXPECT_EQ(boost::json::parse(resp.body).at("error").at("code").as_string(), "unauthorized");
    ASSERT_EQ(resp.headers.size(), 1u);
    EXPECT_EQ(resp.headers[0].first, "WWW-Authenticate");
    EXPECT_TRUE(resp.headers[0].second.starts_with("Bearer"));
  };
  // No token configured: nothing passes, not even an empty bearer.
  expect_401(make_request("GET", "/api/v1/domains"));
  auto empty = make_request("GET", "/api/v1/domains");
  empty.headers["authorization"] = "Bearer ";
  expect_401(empty);

  r.set_token("tok-1");
  EXPECT_EQ(run(r, make_request("GET", "/api/v1/domains", "tok-1")).status, 200);
  expect_401(make_request("GET", "/api/v1/domains", "tok-2"));
  expect_401(make_request("GET", "/api/v1/domains", "tok-"));
  expect_401(make_request("GET", "/api/v1/domains", "tok-11"));
  // Unknown routes under the prefix do not leak their existence before auth.
  expect_401(make_request("GET", "/api/v1/secret-route"));
  expect_401(make_request("GET", "/api/v1"));
  // Outside the prefix: no token needed.
  EXPECT_EQ(run(r, make_request("GET", "/")).status, 200);
  EXPECT_EQ(run(r, make_request("GET", "/api/v1x")).status, 404);

  // Scheme is case-insensitive; Basic is not Bearer.
  auto lower = make_request("GET", "/api/v1/domains");
  lower.headers["authorization"] = "bearer tok-1";
  EXPECT_EQ(run(r, lower).status, 200);
  auto basic = make_request("GET", "/api/v1/domains");
  basic.headers["authorization"] = "Basic tok-1";
  expect_401(basic);

  // Rotation at run time.
  r.set_token("tok-2");
  expect_401(make_request("GET", "/api/v1/domains", "tok-1"));
  EXPECT_EQ(run(r, make_request("GET", "/api/v1/domains", "tok-2")).status, 200);
}

TEST(HttpRouter, GuardSeesEncodedPrefix) {
  auto r = make_router();
  r.guard("/api/v1");
  r.set_token("t");
  auto req = make_request("GET", "/api%2Fv1/domains");
  req.path = "/api/v1/domains";
  EXPECT_EQ(run(r, req).status, 401);
}

TEST(HttpRouter, TokenSetterIsThreadSafe) {
  auto r = make_router();
  r.guard("/api/v1");
  r.set_token("a");
  std::thread writer([&] {
    for (int i = 0; i < 2000; ++i) r.set_token(i % 2 ? "a" : "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
  });
  auto const req = make_request("GET", "/api/v1/domains", "a");
  for (int i = 0; i < 2000; ++i) (void)r.is_authorized(req);
  writer.join();
  r.set_token("a");
  EXPECT_TRUE(r.is_authorized(req));
}

TEST(HttpConstantTimeEqual, Table) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abd", "abc"));
  EXPECT_FALSE(constant_time_equal("ab", "abc"));
  EXPECT_FALSE(constant_time_equal("abcabc", "abc"));
  EXPECT_FALSE(constant_time_equal("", "abc"));
  EXPECT_TRUE(constant_time_equal("", ""));
}

}  // namespace
}  // namespace posta::http
