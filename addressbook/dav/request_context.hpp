// What every CardDAV method handler is given: the authenticated account,
// the parsed target, and the answers they share (207, error bodies).
#pragma once

#include "addressbook/dav/service.hpp"
#include "addressbook/proto/dav_path.hpp"
#include "addressbook/proto/dav_response.hpp"
#include "core/http/message.hpp"

#include "core/util/async.hpp"

#include <cstdint>
#include <string>

namespace posta::addressbook::dav {

using user = cached_user;

struct call {
  context& ctx;
  http::request const& req;
  user const& who;
  proto::dav_target const& target;
};

http::response multistatus(std::vector<proto::dav_response> const& responses,
                           std::optional<std::string> const& sync_token = std::nullopt);
// `status` with a DAV:error body naming `precondition` (RFC 4918 16).
http::response precondition_failed(int status, std::string_view ns, std::string_view precondition);
http::response plain(int status, std::string_view text);

// The Depth header: 0, 1, or nullopt for infinity (or absent, RFC 4918 10.2).
std::optional<int> depth_of(http::request const& req);

// cs:getctag and the sync-token of a book at `revision` (RFC 6578 requires a URI).
std::string sync_token(std::int64_t book_id, std::int64_t revision);
// The revision of a token of this book; nullopt when it is not one.
std::optional<std::int64_t> revision_of_token(std::string_view token, std::int64_t book_id);

asio::awaitable<http::response> propfind(call c);
asio::awaitable<http::response> report(call c);
asio::awaitable<http::response> get_card(call c);
asio::awaitable<http::response> put_card(call c);
asio::awaitable<http::response> delete_resource(call c);
asio::awaitable<http::response> make_book(call c);
asio::awaitable<http::response> patch_book(call c);

}  // namespace posta::addressbook::dav
