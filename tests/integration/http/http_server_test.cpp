// The HTTP listener machinery over real loopback TCP: keep-alive, limits
// (413, 431), malformed JSON and request lines, the token guard, handler bugs.
#include "core/http/connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

namespace posta::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

router make_routes() {
  router r;
  r.add("GET", "/", [](request const&, route_params const&) -> asio::awaitable<response> {
    response resp;
    resp.content_type = "text/plain";
    resp.body = "posta is ready\n";
    co_return resp;
  });
  r.add("POST", "/api/v1/echo", [](request const& req, route_params const&) -> asio::awaitable<response> {
    auto body = parse_json_body(req);
    if (!body) co_return bad_request_response(body.error());
    (*body)["remote_seen"] = !req.remote_address.empty();
    (*body)["q"] = req.query.count("q") ? req.query.at("q") : "";
    co_return json_response(200, *body);
  });
  r.add("GET", "/api/v1/accounts/{address}", [](request const&, route_params const& p) -> asio::awaitable<response> {
    co_return json_response(200, boost::json::object{{"address", p.get("address")}});
  });
  r.add("GET", "/api/v1/boom", [](request const&, route_params const&) -> asio::awaitable<response> {
    throw std::runtime_error("handler bug");
    co_return response{};
  });
  r.guard("/api/v1");
  r.set_token("test-token");
  return r;
}

class HttpServer : public ::testing::Test {
 protected:
  void start() {
    asio::co_spawn(ctx_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { ctx_.run(); });
  }
  void TearDown() override {
    ctx_.stop();
    if (thread_.joinable()) thread_.join();
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(ctx_), asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      auto const ex = socket.get_executor();
      asio::co_spawn(ex, serve_http_connection(std::move(socket), routes_, limits_), asio::detached);
    }
  }

  tcp::endpoint endpoint() const { return acceptor_.local_endpoint(); }

  // A fresh client connection (synchronous, as the CLI's).
  beast::tcp_stream connect() {
    beast::tcp_stream stream(client_ctx_);
    stream.expires_after(std::chrono::seconds(10));
    stream.connect(endpoint());
    return stream;
  }

  bhttp::response<bhttp::string_body> roundtrip(beast::tcp_stream& stream,
                                                bhttp::request<bhttp::string_body> req) {
    req.set(bhttp::field::host, "127.0.0.1");
    req.prepare_payload();
    stream.expires_after(std::chrono::seconds(10));
    bhttp::write(stream, req);
    bhttp::response<bhttp::string_body> res;
    bhttp::read(stream, buffer_, res);
    return res;
  }

  static bhttp::request<bhttp::string_body> make(bhttp::verb verb, std::string target,
                                                 std::string token = "test-token", std::string body = "") {
    bhttp::request<bhttp::string_body> req{verb, target, 11};
    if (!token.empty()) req.set(bhttp::field::authorization, "Bearer " + token);
    if (!body.empty()) req.set(bhttp::field::content_type, "application/json");
    req.body() = std::move(body);
    return req;
  }

  // Reads until the server closes; returns everything it sent.
  std::string read_to_eof(beast::tcp_stream& stream) {
    std::string all = beast::buffers_to_string(buffer_.data());
    char chunk[4096];
    for (;;) {
      boost::system::error_code ec;
      auto const n = stream.read_some(asio::buffer(chunk), ec);
      all.append(chunk, n);
      if (ec) break;
    }
    return all;
  }

  static std::string error_code_of(std::string const& body) {
    return std::string(boost::json::parse(body).at("error").at("code").as_string());
  }

  asio::io_context ctx_;
  asio::io_context client_ctx_;
  tcp::acceptor acceptor_{ctx_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)};
  router routes_ = make_routes();
  http_limits limits_;
  std::thread thread_;
  beast::flat_buffer buffer_;
};

TEST_F(HttpServer, KeepAliveServesSeveralRequestsOnOneConnection) {
  start();
  auto stream = connect();
  auto a = roundtrip(stream, make(bhttp::verb::get, "/"));
  EXPECT_EQ(a.result_int(), 200);
  EXPECT_EQ(a.body(), "posta is ready\n");
  EXPECT_TRUE(a.keep_alive());
  auto b = roundtrip(stream, make(bhttp::verb::get, "/api/v1/accounts/bob%40x.test"));
  EXPECT_EQ(b.result_int(), 200);
  EXPECT_EQ(b.body(), R"({"address":"bob@x.test"})");
  EXPECT_EQ(b[bhttp::field::content_type], "application/json");
  auto c = roundtrip(stream, make(bhttp::verb::post, "/api/v1/echo?q=a+b", "test-token", R"({"x":1})"));
  EXPECT_EQ(c.result_int(), 200);
  auto const v = boost::json::parse(c.body());
  EXPECT_EQ(v.at("x").as_int64(), 1);
  EXPECT_EQ(v.at("q").as_string(), "a b");
  EXPECT_TRUE(v.at("remote_seen").as_bool());
}

TEST_F(HttpServer, ConnectionCloseIsHonoured) {
  start();
  auto stream = connect();
  auto req = make(bhttp::verb::get, "/");
  req.keep_alive(false);
  auto res = roundtrip(stream, req);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(read_to_eof(stream), "");
}

TEST_F(HttpServer, BodyOverTheLimitIs413) {
  start();
  auto stream = connect();
  auto res = roundtrip(stream, make(bhttp::verb::post, "/api/v1/echo", "test-token",
                                    "\"" + std::string(limits_.max_body_bytes, 'a') + "\""));
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_EQ(error_code_of(res.body()), "payload_too_large");
  EXPECT_FALSE(res.keep_alive());
}

TEST_F(HttpServer, BodyJustUnderTheLimitIsRead) {
  limits_.max_body_bytes = 64;
  start();
  auto stream = connect();
  std::string body = R"({"k":")" + std::string(64 - 8, 'z') + R"("})";
  ASSERT_EQ(body.size(), 64u);
  EXPECT_EQ(roundtrip(stream, make(bhttp::verb::post, "/api/v1/echo", "test-token", body)).result_int(), 200);
  body.insert(7, "z");
  EXPECT_EQ(roundtrip(stream, make(bhttp::verb::post, "/api/v1/echo", "test-token", body)).result_int(), 413);
}

TEST_F(HttpServer, ChunkedBodyOverTheLimitIs413) {
  limits_.max_body_bytes = 100;
  start();
  auto stream = connect();
  std::string raw =
      "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer test-token\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 5; ++i) raw += "20\r\n" + std::string(32, 'a') + "\r\n";
  raw += "0\r\n\r\n";
  asio::write(stream, asio::buffer(raw));
  auto const reply = read_to_eof(stream);
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 413")) << reply;
}

TEST_F(HttpServer, MalformedJsonIs400AndTheConnectionStays) {
  start();
  auto stream = connect();
  for (std::string bad : {"{", "[1]", "{\"a\":}"}) {
    auto res = roundtrip(stream, make(bhttp::verb::post, "/api/v1/echo", "test-token", bad));
    EXPECT_EQ(res.result_int(), 400) << bad;
    EXPECT_EQ(error_code_of(res.body()), "bad_request");
  }
  EXPECT_EQ(roundtrip(stream, make(bhttp::verb::get, "/")).result_int(), 200);
}

TEST_F(HttpServer, WrongOrMissingTokenIs401) {
  start();
  auto stream = connect();
  for (std::string token : {"", "wrong", "test-token2"}) {
    auto res = roundtrip(stream, make(bhttp::verb::get, "/api/v1/accounts/a%40b", token));
    EXPECT_EQ(res.result_int(), 401) << token;
    EXPECT_EQ(error_code_of(res.body()), "unauthorized");
    EXPECT_EQ(res[bhttp::field::www_authenticate].substr(0, 6), "Bearer");
  }
  routes_.set_token("rotated");
  EXPECT_EQ(roundtrip(stream, make(bhttp::verb::get, "/api/v1/accounts/a%40b", "rotated")).result_int(), 200);
}

TEST_F(HttpServer, UnknownRouteAndWrongMethod) {
  start();
  auto stream = connect();
  auto nf = roundtrip(stream, make(bhttp::verb::get, "/api/v1/nothing"));
  EXPECT_EQ(nf.result_int(), 404);
  EXPECT_EQ(error_code_of(nf.body()), "not_found");
  auto na = roundtrip(stream, make(bhttp::verb::delete_, "/api/v1/echo"));
  EXPECT_EQ(na.result_int(), 405);
  EXPECT_EQ(na[bhttp::field::allow], "POST");
}

TEST_F(HttpServer, HandlerExceptionIs500AndTheConnectionContinues) {
  start();
  auto stream = connect();
  auto res = roundtrip(stream, make(bhttp::verb::get, "/api/v1/boom"));
  EXPECT_EQ(res.result_int(), 500);
  EXPECT_EQ(error_code_of(res.body()), "internal");
  EXPECT_EQ(res.body().find("handler bug"), std::string::npos);
  EXPECT_EQ(roundtrip(stream, make(bhttp::verb::get, "/")).result_int(), 200);
}

TEST_F(HttpServer, MalformedRequestLineIs400AndClose) {
  start();
  for (std::string raw : {"GARBAGE\r\n\r\n", "GET /\r\n\r\n", "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
                          "GET relative HTTP/1.1\r\nHost: x\r\n\r\n"}) {
    auto stream = connect();
    asio::write(stream, asio::buffer(raw));
    auto const reply = read_to_eof(stream);
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 400")) << raw << " → " << reply;
    EXPECT_NE(reply.find("\"bad_request\""), std::string::npos);
  }
}

TEST_F(HttpServer, HeaderOverTheLimitIs431) {
  limits_.max_header_bytes = 1024;
  start();
  auto stream = connect();
  auto req = make(bhttp::verb::get, "/");
  req.set("X-Filler", std::string(2000, 'f'));
  req.set(bhttp::field::host, "x");
  req.prepare_payload();
  bhttp::write(stream, req);
  auto const reply = read_to_eof(stream);
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 431")) << reply;
}

TEST_F(HttpServer, ExpectContinueGetsAnInterimResponse) {
  start();
  auto stream = connect();
  std::string const head =
      "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer test-token\r\n"
      "Content-Type: application/json\r\nContent-Length: 7\r\nExpect: 100-continue\r\n\r\n";
  asio::write(stream, asio::buffer(head));
  char interim[25];
  asio::read(stream, asio::buffer(interim));
  EXPECT_EQ(std::string(interim, sizeof interim), "HTTP/1.1 100 Continue\r\n\r\n");
  asio::write(stream, asio::buffer(std::string(R"({"a":1})")));
  bhttp::response<bhttp::string_body> res;
  bhttp::read(stream, buffer_, res);
  EXPECT_EQ(res.result_int(), 200);
}

TEST_F(HttpServer, IdleConnectionIsClosed) {
  limits_.idle_timeout = std::chrono::milliseconds(100);
  start();
  auto stream = connect();
  EXPECT_EQ(roundtrip(stream, make(bhttp::verb::get, "/")).result_int(), 200);
  EXPECT_EQ(read_to_eof(stream), "");  // returns once the server gives up on us
}

}  // namespace
}  // namespace posta::http
