// message_structure <-> JSON (the jsonb column): exact round trips and
// refusal of corrupt stored values.
#include "mail/mime/parse_message.hpp"
#include "mail/mime/structure_json.hpp"
#include "mail/mime/utf8.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <string>

namespace posta::mail::mime {
namespace {

std::string crlf(std::string_view lf) {
  std::string out;
  for (char c : lf) {
    if (c == '\n') out.push_back('\r');
    out.push_back(c);
  }
  return out;
}

std::string const forwarded = crlf(
    "Date: Tue, 1 Oct 2024 10:00:00 +0200\n"
    "From: =?UTF-8?Q?J=C3=B6rg?= <joerg@example.de>\n"
    "Reply-To: list@example.org\n"
    "To: Team: a@x, \"B\" <b@y>;, <@r1,@r2:c@z>\n"
    "Subject: =?UTF-8?B?R3LDvMOfZQ==?=\n"
    "Message-ID: <m@x>\n"
    "In-Reply-To: <p@x>\n"
    "Content-Type: multipart/mixed; boundary=o\n"
    "\n"
    "--o\n"
    "Content-Type: text/plain; charset=utf-8; format=flowed\n"
    "Content-Language: en, de\n"
    "Content-Location: http://x/y\n"
    "Content-MD5: abc=\n"
    "Content-ID: <c@x>\n"
    "Content-Description: the text\n"
    "\n"
    "hello\n"
    "--o\n"
    "Content-Type: application/octet-stream\n"
    "Content-Disposition: attachment; filename*=utf-8''%E2%82%AC.bin\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "AAEC\n"
    "--o\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "Subject: inner\n"
    "From: c@z\n"
    "\n"
    "inner body\n"
    "--o--\n");

message_structure parse(std::string const& raw) {
  auto r = parse_message(raw);
  EXPECT_TRUE(r.has_value());
  return r ? *r : message_structure{};
}

void expect_round_trip(std::string const& raw) {
  auto ms = parse(raw);
  auto back = from_json(to_json(ms));
  ASSERT_TRUE(back.has_value()) << back.error().message();
  EXPECT_EQ(*back, ms);
  auto text = to_json_text(ms);
  auto back2 = from_json_text(text);
  ASSERT_TRUE(back2.has_value()) << back2.error().message();
  EXPECT_EQ(*back2, ms);
}

TEST(mime_json, round_trip_rich_message) {
  auto ms = parse(forwarded);
  ASSERT_EQ(ms.root.children.size(), 3u);
  ASSERT_TRUE(ms.sent_date.has_value());
  ASSERT_TRUE(ms.has_attachments);
  expect_round_trip(forwarded);
}

TEST(mime_json, round_trip_edge_cases) {
  expect_round_trip("");
  expect_round_trip("no header at all");
  expect_round_trip(crlf("Subject: caf\xE9\nFrom: \"\xFF\" <a@b>\nContent-ID: <\x01>\n\n"));
  expect_round_trip(std::string("Subject: nul\0byte\r\n\r\nx", 23));
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "Content-Type: message/rfc822\r\n\r\n";
  expect_round_trip(deep + "Subject: deep\r\n\r\nx");
}

TEST(mime_json, compact_layout) {
  auto ms = parse(crlf("Subject: hi\nFrom: a@b\n\nbody\n"));
  EXPECT_EQ(to_json_text(ms),
            "{\"v\":1,\"z\":32,\"hl\":3,\"s\":\"hi\",\"e\":[null,\"hi\",[[\"a\",\"b\"]],null,null,[],[],[],null,null],"
            "\"b\":{\"t\":\"text/plain\",\"p\":[\"charset\",\"us-ascii\"],\"o\":[0,26,32],\"l\":1}}");
}

TEST(mime_json, raw_bytes_are_hex_objects) {
  auto ms = parse(crlf("Subject: caf\xE9\n\n"));
  auto v = to_json(ms);
  auto const& subject = v.as_object().at("e").as_array()[1];
  ASSERT_TRUE(subject.is_object());
  EXPECT_EQ(subject.as_object().at("x").as_string(), "636166e9");
  // The decoded copy is converted by charset guessing; whatever the guess, valid UTF-8.
  std::string decoded(v.as_object().at("s").as_string());
  EXPECT_TRUE(decoded.starts_with("caf"));
  EXPECT_TRUE(is_valid_utf8(decoded));
}

TEST(mime_json, sender_equal_to_from_is_stored_once) {
  auto ms = parse(crlf("From: a@b\nSender: a@b\n\n"));
  auto v = to_json(ms);
  EXPECT_TRUE(v.as_object().at("e").as_array()[3].is_null());
  auto back = from_json(v);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->env.sender, ms.env.from);
}

struct corrupt_case {
  char const* name;
  char const* json;
};

TEST(mime_json, corrupt_values_are_errors) {
  auto good = boost::json::serialize(to_json(parse(forwarded)));
  ASSERT_TRUE(from_json_text(good));
  corrupt_case const cases[] = {
      {"not json", "{"},
      {"not object", "[]"},
      {"version", R"({"v":2,"z":0,"hl":0,"e":[null,null,[],null,null,[],[],[],null,null],"b":{"t":"text/plain","o":[0,0,0]}})"},
      {"offset past size", R"({"v":1,"z":5,"hl":0,"e":[null,null,[],null,null,[],[],[],null,null],"b":{"t":"text/plain","o":[0,0,9]}})"},
      {"offsets reversed", R"({"v":1,"z":5,"hl":0,"e":[null,null,[],null,null,[],[],[],null,null],"b":{"t":"text/plain","o":[3,1,4]}})"},
      {"negative offset", R"({"v":1,"z":5,"hl":0,"e":[null,null,[],null,null,[],[],[],null,null],"b":{"t":"text/plain","o":[-1,0,0]}})"},
      {"type without slash", R"({"v":1,"z":0,"hl":0,"e":[null,null,[],null,null,[],[],[],null,null],"b":{"t":"text","o":[0,0,0]}})"},
      {"short envelope", R"({"v":1,"z":0,"hl":0,"e":[null],"b":{"t":"text/plain","o":[0,0,0]}})"},
      {"bad address", R"({"v":1,"z":0,"hl":0,"e":[null,null,[[1]],null,null,[],[],[],null,null],"b":{"t":"text/plain","o":[0,0,0]}})"},
      {"odd params", R"({"v":1,"z":0,"hl":0,"e":[null,null,[],null,null,[],[],[],null,null],"b":{"t":"text/plain","p":["a"],"o":[0,0,0]}})"},
      {"bad hex", R"({"v":1,"z":0,"hl":0,"e":[{"x":"zz"},null,[],null,null,[],[],[],null,null],"b":{"t":"text/plain","o":[0,0,0]}})"},
      {"children not array", R"({"v":1,"z":0,"hl":0,"e":[null,null,[],null,null,[],[],[],null,null],"b":{"t":"text/plain","o":[0,0,0],"c":{}}})"},
      {"missing body", R"({"v":1,"z":0,"hl":0,"e":[null,null,[],null,null,[],[],[],null,null]})"},
  };
  for (auto const& c : cases) {
    auto r = from_json_text(c.json);
    ASSERT_FALSE(r.has_value()) << c.name;
    EXPECT_EQ(r.error().code, make_error_code(errc::invalid_argument)) << c.name;
  }
}

TEST(mime_json, minimal_valid_value) {
  auto r = from_json_text(
      R"({"v":1,"z":0,"hl":0,"e":[null,null,[],null,null,[],[],[],null,null],"b":{"t":"text/plain","o":[0,0,0]}})");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->root.type, "text");
  EXPECT_TRUE(r->env.sender.empty());
}

}  // namespace
}  // namespace posta::mail::mime
