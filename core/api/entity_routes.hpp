// The routes every identity entity has, written once: GET <path> lists
// (?domain= filters where the entity belongs to a domain), GET <path>/{key}
// shows one, DELETE <path>/{key} removes it. Creation and changes differ
// per entity and stay in its own *_routes.cpp.
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

// The list of an entity that belongs to a domain, filtered by ?domain=.
template <class T>
auto listed_by_domain(asio::awaitable<result<std::vector<T>>> (identity::store::*list)(std::optional<std::string>)) {
  return [list](identity::store& s, http::request const& req) { return (s.*list)(domain_filter(req)); };
}

}  // namespace posta::api
