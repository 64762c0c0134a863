// The CLI's admin API calls, on core/http's client (plain http or https).
#include "app/cli/api_client.hpp"

#include "core/http/client.hpp"

#include <boost/json.hpp>

namespace posta::cli {

api_client::api_client(api_url url, std::string token, std::chrono::milliseconds timeout)
    : url_(std::move(url)), token_(std::move(token)), timeout_(timeout) {}

result<api_reply> api_client::call(std::string_view method, std::string const& target,
                                   std::optional<std::string> const& json_body) const {
  http::client_request req{std::string(method), url_.base + target,
                           {{"User-Agent", "posta-cli"}, {"Accept", "application/json"},
                            {"Authorization", "Bearer " + token_}},
                           json_body};
  if (json_body) req.headers.emplace_back("Content-Type", "application/json");
  http::client_options options;
  options.tls = url_.tls;
  options.trusted_cert = url_.trusted_cert;
  options.timeout = timeout_;
  auto reply = http::request_blocking(url_.host, url_.port, req, options);
  if (!reply) return make_error(errc::unavailable, "cannot reach the API at " + url_.text + ": " + reply.error().context);
  return api_reply{reply->status, std::move(reply->body)};
}

std::string api_error_message(api_reply const& reply) {
  boost::system::error_code ec;
  auto const doc = boost::json::parse(reply.body, ec);
  if (!ec && doc.is_object()) {
    auto const* err = doc.get_object().if_contains("error");
    if (err && err->is_object()) {
      auto const* msg = err->get_object().if_contains("message");
      if (msg && msg->is_string() && !msg->get_string().empty()) return std::string(msg->get_string());
    }
  }
  return "HTTP " + std::to_string(reply.status) + " from the API";
}

}  // namespace posta::cli
