#include "mail/index/search_routes.hpp"

#include "core/api/fields.hpp"
#include "core/db/pool.hpp"
#include "core/http/router.hpp"
#include "core/identity/store.hpp"
#include "core/util/async.hpp"
#include "core/util/date.hpp"
#include "mail/index/indexer.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <map>

namespace posta::mail::index {
namespace {

// SECURITY: hits per page.
constexpr int max_page_size = 200;

struct search_params {
  std::string q;
  std::optional<std::string> mailbox;
  int page = 1;
  int page_size = 50;
};

result<search_params> read_params(http::request const& req) {
  search_params p;
  auto q = req.query.find("q");
  if (q == req.query.end() || q->second.empty()) return make_error(errc::invalid_argument, "q: a query is needed");
  p.q = q->second;
  if (auto m = req.query.find("mailbox"); m != req.query.end() && !m->second.empty()) p.mailbox = m->second;
  p.page = POSTA_TRY(api::query_int(req, "page", 1));
  p.page_size = POSTA_TRY(api::query_int(req, "page_size", 50));
  if (p.page < 1) return make_error(errc::invalid_argument, "page starts at 1");
  if (p.page_size < 1 || p.page_size > max_page_size)
    return make_error(errc::invalid_argument, "page_size is 1 to " + std::to_string(max_page_size));
  return p;
}

http::response bad_query(error const& e) {
  return http::error_response(400, "bad_request", e.context);
}

asio::awaitable<http::response> search(db::pool& pool, identity::store& identity, indexer& idx,
                                       http::request const& req, std::string address) {
  auto params = read_params(req);
  if (!params) co_return bad_query(params.error());
  auto query = search::proto::parse_query(params->q);
  if (!query) co_return bad_query(query.error());
  auto account = co_await identity.get_account(address);
  if (!account) co_return http::error_response(account.error());
  auto boxes = co_await pool.q("SELECT id, name FROM mailboxes WHERE account_id = $1", account->id);
  if (!boxes) co_return http::error_response(boxes.error());
  std::map<std::int64_t, std::string> names;
  std::optional<std::int64_t> mailbox_id;
  for (int i = 0; i < boxes->size(); ++i) {
    names[boxes->i64(i, 0)] = boxes->str(i, 1);
    if (params->mailbox && boxes->str(i, 1) == *params->mailbox) mailbox_id = boxes->i64(i, 0);
  }
  if (params->mailbox && !mailbox_id) co_return http::error_response(404, "not_found", "no such mailbox");
  search::engine::search_request r{account->id, mailbox_id, std::move(*query),
                                   static_cast<std::size_t>(params->page - 1) * params->page_size,
                                   static_cast<std::size_t>(params->page_size)};
  auto found = co_await idx.search(std::move(r));
  if (!found) co_return http::error_response(found.error());
  boost::json::array hits;
  for (auto const& h : found->items)
    hits.push_back(boost::json::object{
        {"mailbox", names.count(h.mailbox_id) ? names[h.mailbox_id] : std::string()},
        {"uid", h.uid},
        {"date", util::utc_datetime(std::chrono::system_clock::time_point(std::chrono::seconds(h.date)))},
        {"from", h.from},
        {"subject", h.subject},
        {"snippet", h.snippet}});
  co_return http::json_response(200, boost::json::object{{"account", account->address},
                                                         {"query", params->q},
                                                         {"page", params->page},
                                                         {"page_size", params->page_size},
                                                         {"total", found->total},
                                                         {"hits", std::move(hits)}});
}

}  // namespace

void add_search_routes(http::router& r, db::pool& pool, identity::store& identity, indexer& idx) {
  using http::request, http::response, http::route_params;
  r.add("GET", "/api/v1/accounts/{address}/search",
        [&pool, &identity, &idx](request const& req, route_params const& p) -> asio::awaitable<response> {
          co_return co_await search(pool, identity, idx, req, std::string(p.get("address")));
        });
  r.add("POST", "/api/v1/search/reindex",
        [&identity, &idx](request const& req, route_params const&) -> asio::awaitable<response> {
          auto body =
              req.body.empty() ? result<boost::json::object>(boost::json::object{}) : http::parse_json_body(req);
          if (!body) co_return http::bad_request_response(body.error());
          std::optional<std::int64_t> account_id;
          std::string address;
          if (auto const* a = body->if_contains("account"); a && !a->is_null()) {
            if (!a->is_string()) co_return http::error_response(400, "bad_request", "account: an address");
            address = std::string(a->as_string());
            auto account = co_await identity.get_account(address);
            if (!account) co_return http::error_response(account.error());
            account_id = account->id;
            address = account->address;
          }
          auto queued = co_await idx.reindex(account_id);
          if (!queued) co_return http::error_response(queued.error());
          co_return http::json_response(202, boost::json::object{{"account", address}, {"queued", *queued}});
        });
}

}  // namespace posta::mail::index
