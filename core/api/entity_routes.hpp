// The routes every identity entity has, written once: GET <path> lists
// (?domain= filters where the entity belongs to a domain), GET <path>/{key}
// shows one, DELETE <path>/{key} removes it; POST <path> creates one from
// its own fields. Changes differ per entity and stay in its *_routes.cpp.
#pragma once

#include "core/api/api.hpp"
#include "core/api/fields.hpp"
#include "core/api/views.hpp"
#include "core/http/router.hpp"

#include <functional>
#include <string>
#include <vector>

namespace posta::api {

template <class T>
struct entity_api {
  std::string path;    // "/api/v1/aliases"
  std::string key;     // the path parameter: "address" or "name"
  char const* plural;  // the answer's list key: "aliases"
  std::function<asio::awaitable<result<std::vector<T>>>(identity::store&, http::request const&)> list;
  asio::awaitable<result<T>> (identity::store::*get)(std::string);
  asio::awaitable<result<void>> (identity::store::*remove)(std::string);
};

template <class T>
void add_entity_routes(http::router& r, context& ctx, entity_api<T> e) {
  auto const one = e.path + "/{" + e.key + "}";
  r.add("GET", e.path, [&ctx, e](http::request const& req, http::route_params const&) -> asio::awaitable<http::response> {
    auto found = co_await e.list(ctx.identity, req);
    co_return respond_list(found, e.plural);
  });
  r.add("GET", one, [&ctx, e](http::request const&, http::route_params const& p) -> asio::awaitable<http::response> {
    std::string name(p.get(e.key));
    auto found = co_await (ctx.identity.*e.get)(std::move(name));
    co_return respond(found);
  });
  r.add("DELETE", one, [&ctx, e](http::request const&, http::route_params const& p) -> asio::awaitable<http::response> {
    std::string name(p.get(e.key));
    auto deleted = co_await (ctx.identity.*e.remove)(std::move(name));
    co_return respond_deleted(deleted);
  });
}

// POST <path>: the body read by `read` (a field reader of fields.hpp), then
// `create(fields)`, answered 201 with the new entity.
template <class Read, class Create>
void add_create_route(http::router& r, std::string const& path, Read read, Create create) {
  r.add("POST", path, [read, create](http::request const& req, http::route_params const&) -> asio::awaitable<http::response> {
    auto fields = read_body(req, read);
    if (!fields) co_return field_error(fields.error());
    auto created = co_await create(std::move(*fields));
    co_return respond(created, 201);
  });
}

// The list of an entity that belongs to a domain, filtered by ?domain=.
template <class T>
auto listed_by_domain(asio::awaitable<result<std::vector<T>>> (identity::store::*list)(std::optional<std::string>)) {
  return [list](identity::store& s, http::request const& req) { return (s.*list)(domain_filter(req)); };
}

}  // namespace posta::api
