// /api/v1/journal: the server journal by UTC day, newest first, paged.
#include "core/api/api.hpp"
#include "core/api/fields.hpp"
#include "core/http/router.hpp"
#include "core/util/async.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include "core/journal/journal.hpp"

#include <boost/json/parse.hpp>

#include <ctime>

namespace posta::api {
namespace {

std::string today_utc() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

result<journal::query> parse_query(http::request const& req) {
  journal::query q;
  auto it = req.query.find("date");
  q.date = it == req.query.end() ? today_utc() : it->second;
  q.page = POSTA_TRY(query_int(req, "page", 1));
  q.page_size = POSTA_TRY(query_int(req, "page_size", 100));
  if (auto l = req.query.find("level"); l != req.query.end()) {
    q.min_level = journal::parse_level(l->second);
    if (!q.min_level) return make_error(errc::invalid_argument, "level must be debug, info, warning or error");
  }
  if (auto s = req.query.find("service"); s != req.query.end()) q.service = s->second;
  POSTA_TRY(journal::validate(q));
  return q;
}

boost::json::object entry_json(journal::stored_event const& e) {
  boost::system::error_code ec;
  auto fields = boost::json::parse(e.fields_json, ec);
  return {{"id", e.id},          {"time", e.time}, {"level", e.lvl}, {"service", e.service},
          {"text", e.text},      {"fields", ec ? boost::json::value(boost::json::object{}) : fields}};
}

}  // namespace

void add_journal_routes(http::router& r, context& ctx) {
  r.add("GET", "/api/v1/journal", [&ctx](http::request const& req, http::route_params const&) -> asio::awaitable<http::response> {
    auto q = parse_query(req);
    if (!q) co_return http::error_response(q.error());
    auto page = co_await journal::list(ctx.pool, *q);
    if (!page) co_return http::error_response(page.error());
    boost::json::array entries;
    for (auto const& e : page->entries) entries.push_back(entry_json(e));
    co_return http::json_response(200, boost::json::object{{"date", q->date},
                                                           {"page", q->page},
                                                           {"page_size", q->page_size},
                                                           {"total", page->total},
                                                           {"entries", entries}});
  });
}

}  // namespace posta::api
