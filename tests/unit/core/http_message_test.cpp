// The admin API's JSON helpers: error shape (docs/api.md), errc mapping, body parsing.
#include "core/http/message.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace posta::http {
namespace {

boost::json::value body_of(response const& r) { return boost::json::parse(r.body); }

TEST(HttpMessage, JsonResponse) {
  auto r = json_response(201, boost::json::object{{"name", "example.test"}});
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"name":"example.test"})");
}

TEST(HttpMessage, ErrorShape) {
  auto r = error_response(404, "not_found", "account bob@example.test does not exist");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(body_of(r), boost::json::parse(
      R"({"error": {"code": "not_found", "message": "account bob@example.test does not exist"}})"));
}

TEST(HttpMessage, ErrcMapping) {
  struct row {
    errc e;
    int status;
    std::string_view code;
  };
  for (auto const& r : std::initializer_list<row>{
           {errc::invalid_argument, 400, "invalid_argument"},
           {errc::not_found, 404, "not_found"},
           {errc::already_exists, 409, "already_exists"},
           {errc::conflict, 409, "conflict"},
           {errc::unavailable, 503, "unavailable"},
           {errc::internal, 500, "internal"},
       }) {
    auto resp = error_response(make_error(r.e, "ctx"));
    EXPECT_EQ(resp.status, r.status);
    auto const v = body_of(resp);
    EXPECT_EQ(v.at("error").at("code").as_string(), r.code);
  }
}

TEST(HttpMessage, ErrorMessageIsTheContextButNotForInternal) {
  auto nf = body_of(error_response(make_error(errc::not_found, "domain x.test does not exist")));
  EXPECT_EQ(nf.at("error").at("message").as_string(), "domain x.test does not exist");
  auto in = body_of(error_response(make_error(errc::internal, "SELECT secret FROM t")));
  EXPECT_EQ(in.at("error").at("message").as_string(), "internal error");
  auto other = error_response(make_error(std::make_error_code(std::errc::io_error), "disk"));
  EXPECT_EQ(other.status, 500);
}

TEST(HttpMessage, ParseJsonBody) {
  request req;
  req.body = R"({"address": "bob@x.test", "quota_bytes": 5})";
  auto obj = parse_json_body(req);
  ASSERT_TRUE(obj);
  EXPECT_EQ(obj->at("address").as_string(), "bob@x.test");
  EXPECT_EQ(obj->at("quota_bytes").as_int64(), 5);
}

TEST(HttpMessage, ParseJsonBodyRejects) {
  for (std::string_view bad : {"", "{", "[1,2]", "\"s\"", "42", "{\"a\":1} trailing", "{'a':1}"}) {
    request req;
    req.body = bad;
    auto obj = parse_json_body(req);
    ASSERT_FALSE(obj) << bad;
    auto r = bad_request_response(obj.error());
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(body_of(r).at("error").at("code").as_string(), "bad_request");
  }
}

TEST(HttpMessage, HeaderLookup) {
  request req;
  req.headers["content-type"] = "application/json";
  EXPECT_EQ(req.header("content-type"), "application/json");
  EXPECT_EQ(req.header("accept"), "");
}

}  // namespace
}  // namespace posta::http
