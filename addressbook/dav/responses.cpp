// The answers CardDAV handlers share, and the sync-token spelling.
#include "addressbook/dav/limits.hpp"
#include "addressbook/dav/request_context.hpp"

#include <charconv>

namespace posta::addressbook::dav {

http::response multistatus(std::vector<proto::dav_response> const& responses,
                           std::optional<std::string> const& sync_token) {
  http::response r;
  r.status = 207;
  r.content_type = "application/xml; charset=utf-8";
  r.body = proto::multistatus_body(responses, sync_token);
  return r;
}

http::response precondition_failed(int status, std::string_view ns, std::string_view precondition) {
  http::response r;
  r.status = status;
  r.content_type = "application/xml; charset=utf-8";
  r.body = proto::error_body({std::string(ns), std::string(precondition)});
  return r;
}

http::response plain(int status, std::string_view text) {
  http::response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::string(text);
  if (!r.body.empty()) r.body += "\n";
  return r;
}

http::response answer_for(error const& e) {
  if (e.code == errc::not_found) return plain(404, e.context);
  if (e.code == errc::invalid_argument) return plain(400, e.context);
  if (e.code == errc::limit_exceeded) return plain(413, e.context);
  return plain(503, "temporarily unavailable");
}

std::optional<int> depth_of(http::request const& req) {
  auto const d = req.header("depth");
  if (d == "0") return 0;
  if (d == "1") return 1;
  return std::nullopt;
}

namespace {
constexpr std::string_view token_prefix = "urn:x-posta:sync:";
}

std::string sync_token(std::int64_t book_id, std::int64_t revision) {
  return std::string(token_prefix) + std::to_string(book_id) + ":" + std::to_string(revision);
}

std::optional<std::int64_t> revision_of_token(std::string_view token, std::int64_t book_id) {
  auto const own = std::string(token_prefix) + std::to_string(book_id) + ":";
  if (!token.starts_with(own)) return std::nullopt;
  token.remove_prefix(own.size());
  std::int64_t revision = 0;
  auto const [end, ec] = std::from_chars(token.data(), token.data() + token.size(), revision);
  if (ec != std::errc() || end != token.data() + token.size() || revision < 0) return std::nullopt;
  return revision;
}

}  // namespace posta::addressbook::dav
