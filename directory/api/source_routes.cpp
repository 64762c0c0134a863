#include "directory/api/source_routes.hpp"

#include "core/api/fields.hpp"
#include "core/http/router.hpp"
#include "core/journal/journal.hpp"
#include "core/util/async.hpp"
#include "directory/store/source_store.hpp"
#include "directory/sync/engine.hpp"
#include "directory/sync/fetch.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

namespace posta::directory::api {
namespace {

using http::request, http::response, http::route_params;

// What the next pass starts from: its kind and each position, short.
boost::json::object incremental_view(std::string const& stored) {
  auto const state = sync::describe(sync::decode_cookies(stored));
  boost::json::object positions;
  for (auto const& [key, position] : state.positions) positions[key] = position;
  return {{"kind", state.kind}, {"positions", std::move(positions)}};
}

// SECURITY: the password is never part of a view, only whether one is set.
boost::json::object view(store::source_row const& s) {
  auto out = store::to_json(s.config);
  out["name"] = s.name;
  out["enabled"] = s.enabled;
  out["bind_password_set"] = s.has_password;
  out["created_at"] = s.created_at;
  out["accounts"] = s.accounts;
  boost::system::error_code ec;
  auto counts = boost::json::parse(s.sync.counts_json, ec);
  auto opt = [](std::optional<std::string> const& v) {
    return v ? boost::json::value(*v) : boost::json::value(nullptr);
  };
  boost::json::value cookies = nullptr;
  if (!s.sync.cookies_json.empty()) {
    boost::system::error_code cec;
    cookies = boost::json::parse(s.sync.cookies_json, cec);
    if (cec) cookies = nullptr;
  }
  out["sync"] = boost::json::object{{"cookies", cookies},
                                    {"incremental", incremental_view(s.sync.cookies_json)},
                                    {"status", s.sync.status},
                                    {"message", s.sync.message},
                                    {"started_at", opt(s.sync.started_at)},
                                    {"finished_at", opt(s.sync.finished_at)},
                                    {"counts", ec ? boost::json::value(boost::json::object{}) : counts}};
  return out;
}

response respond(result<store::source_row> const& r, int status = 200) {
  if (!r) return http::error_response(r.error());
  return http::json_response(status, view(*r));
}

struct source_request {
  store::source_config config;
  std::optional<std::string> password;
  std::optional<bool> enabled;
};

result<source_request> read_request(boost::json::object const& body, store::source_config base, bool creating) {
  source_request out;
  out.config = POSTA_TRY(read_source_config(body, std::move(base), creating));
  out.password = POSTA_TRY(posta::api::optional_string(body, "bind_password"));
  out.enabled = POSTA_TRY(posta::api::optional_bool(body, "enabled"));
  return out;
}

void add_create(http::router& r, store::source_store& sources) {
  r.add("POST", "/api/v1/directory/sources",
        [&sources](request const& req, route_params const&) -> asio::awaitable<response> {
          std::string name;
          auto fields = posta::api::read_body(req, [&](boost::json::object const& body) -> result<source_request> {
            name = POSTA_TRY(posta::api::required_string(body, "name"));
            return read_request(body, {}, true);
          });
          if (!fields) co_return posta::api::field_error(fields.error());
          auto made = co_await sources.create(name, fields->config, fields->password);
          if (made) journal::record(journal::level::info, "directory", "directory source added", {{"source", name}});
          co_return respond(made, 201);
        });
}

void add_update(http::router& r, store::source_store& sources) {
  r.add("PATCH", "/api/v1/directory/sources/{name}",
        [&sources](request const& req, route_params const& p) -> asio::awaitable<response> {
          std::string name(p.get("name"));
          auto current = co_await sources.get(name);
          if (!current) co_return http::error_response(current.error());
          auto fields = posta::api::read_body(
              req, [&](boost::json::object const& body) { return read_request(body, current->config, false); });
          if (!fields) co_return posta::api::field_error(fields.error());
          co_return respond(co_await sources.update(name, fields->config, fields->password, fields->enabled));
        });
}

void add_sync(http::router& r, sync::engine& engine) {
  r.add("POST", "/api/v1/directory/sources/{name}/sync",
        [&engine](request const& req, route_params const& p) -> asio::awaitable<response> {
          sync::sync_options options;
          if (!req.body.empty()) {
            auto fields = posta::api::read_body(req, [&](boost::json::object const& body) -> result<void> {
              options.dry_run = POSTA_TRY(posta::api::optional_bool(body, "dry_run")).value_or(false);
              options.force = POSTA_TRY(posta::api::optional_bool(body, "force")).value_or(false);
              return {};
            });
            if (!fields) co_return posta::api::field_error(fields.error());
          }
          auto report = co_await engine.sync(std::string(p.get("name")), options);
          if (!report) co_return http::error_response(report.error());
          co_return http::json_response(200, sync::to_json(*report));
        });
}

}  // namespace

void add_source_routes(http::router& r, store::source_store& sources, sync::engine& engine) {
  r.add("GET", "/api/v1/directory/sources",
        [&sources](request const&, route_params const&) -> asio::awaitable<response> {
          auto all = co_await sources.list();
          if (!all) co_return http::error_response(all.error());
          boost::json::array out;
          for (auto const& s : *all) out.push_back(view(s));
          co_return http::json_response(200, boost::json::object{{"sources", std::move(out)}});
        });
  r.add("GET", "/api/v1/directory/sources/{name}",
        [&sources](request const&, route_params const& p) -> asio::awaitable<response> {
          co_return respond(co_await sources.get(std::string(p.get("name"))));
        });
  add_create(r, sources);
  add_update(r, sources);
  r.add("DELETE", "/api/v1/directory/sources/{name}",
        [&sources](request const&, route_params const& p) -> asio::awaitable<response> {
          std::string name(p.get("name"));
          auto removed = co_await sources.remove(name);
          if (!removed) co_return http::error_response(removed.error());
          journal::record(journal::level::info, "directory", "directory source removed",
                          {{"source", name}, {"accounts_disabled", *removed}});
          co_return http::json_response(200, boost::json::object{{"name", name}, {"accounts_disabled", *removed}});
        });
  add_sync(r, engine);
}

}  // namespace posta::directory::api
