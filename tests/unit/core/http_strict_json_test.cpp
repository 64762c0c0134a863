// Duplicate member names and NUL in JSON request bodies (issue 7), at every
// depth, with escapes that decode to the same name.
#include "core/http/message.hpp"
#include "core/http/strict_json.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <string>

namespace posta::http {
namespace {

TEST(HttpStrictJson, AcceptsOrdinaryJson) {
  for (std::string_view ok : {R"({"name":"a.test"})", R"({"a":{"k":1},"b":{"k":2}})", R"([{"k":1},{"k":1}])",
                              R"({"s":"a\u0001b","t":"\u00e9"})", R"({"a":"name","name":"a"})", "{}", "[]", "5"})
    EXPECT_TRUE(check_strict_json(ok)) << ok;
}

TEST(HttpStrictJson, RefusesDuplicatesAndNul) {
  for (std::string_view bad : {R"({"name":"dup1.test","name":"dup2.test"})", R"({"a":1,"b":2,"a":3})",
                               R"({"x":{"k":1,"k":2}})", R"([{"k":1,"k":1}])", R"({"n\u0061me":1,"name":2})",
                               R"({"description":"a\u0000b"})", R"({"a\u0000":1})", R"(["x","\u0000"])"}) {
    auto r = check_strict_json(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, make_error_code(errc::invalid_argument));
  }
  EXPECT_EQ(check_strict_json(R"({"name":"a","name":"b"})").error().context, "duplicate JSON member \"name\"");
  EXPECT_NE(check_strict_json(R"({"d":"a\u0000b"})").error().context.find("NUL"), std::string::npos);
}

TEST(HttpStrictJson, ParseJsonBodyAnswers400) {
  request req;
  req.body = R"({"name":"dup1.test","name":"dup2.test"})";
  auto obj = parse_json_body(req);
  ASSERT_FALSE(obj);
  EXPECT_EQ(bad_request_response(obj.error()).status, 400);
}

}  // namespace
}  // namespace posta::http
