// The admin API as the CLI calls it: one synchronous request per call, over
// http or https (core/http's client).
#pragma once

#include "app/cli/endpoint.hpp"
#include "core/util/result.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace posta::cli {

struct api_reply {
  int status = 0;
  std::string body;
};

class api_client {
 public:
  api_client(api_url url, std::string token, std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // One request on a fresh connection; `target` starts with "/api/v1/…" and
  // is appended to the URL's base path. An HTTP error status is a reply, not
  // an error; errors are only "could not talk to the server" (errc::unavailable),
  // with a message such as "cannot reach the API at http://…: connection refused".
  result<api_reply> call(std::string_view method, std::string const& target,
                         std::optional<std::string> const& json_body = std::nullopt) const;

 private:
  api_url url_;
  std::string token_;
  std::chrono::milliseconds timeout_;
};

// The API's error message from an error reply's body
// ({"error": {"message": …}}), or "HTTP <status>" when there is none.
std::string api_error_message(api_reply const& reply);

}  // namespace posta::cli
