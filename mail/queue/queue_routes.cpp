#include "mail/queue/queue_routes.hpp"

#include "core/api/fields.hpp"
#include "core/http/router.hpp"
#include "core/util/async.hpp"
#include "mail/queue/queue_admin.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace posta::mail::queue {
namespace {

boost::json::value code_json(std::optional<int> code) {
  return code ? boost::json::value(*code) : boost::json::value(nullptr);
}

boost::json::object message_json(queued_message_view const& m) {
  boost::json::array recipients;
  for (auto const& r : m.recipients)
    recipients.push_back(boost::json::object{{"address", r.address},
                                             {"attempts", r.attempts},
                                             {"next_attempt_at", r.next_attempt_at},
                                             {"last_attempt_at", r.last_attempt_at},
                                             {"last_code", code_json(r.last_code)},
                                             {"last_reply", r.last_reply},
                                             {"in_delivery", r.in_delivery}});
  auto const* last = m.last_attempted();
  return {{"id", m.id},
          {"sender", m.sender},
          {"size", m.size},
          {"queued_at", m.queued_at},
          {"age_seconds", m.age_seconds},
          {"attempts", m.attempts()},
          {"next_attempt_at", m.next_attempt_at()},
          {"last_code", code_json(last ? last->last_code : std::nullopt)},
          {"last_reply", last ? last->last_reply : ""},
          {"recipients", std::move(recipients)}};
}

result<queue_filter> read_filter(http::request const& req) {
  queue_filter f;
  if (auto q = req.query.find("q"); q != req.query.end()) f.text = q->second;
  f.page = POSTA_TRY(api::query_int(req, "page", 1));
  f.page_size = POSTA_TRY(api::query_int(req, "page_size", 100));
  POSTA_TRY(validate(f));
  return f;
}

http::response count_or_not_found(result<std::int64_t> const& n, char const* field) {
  if (!n) return http::error_response(n.error());
  if (*n == 0) return http::error_response(404, "not_found", "no such message in the queue");
  return http::json_response(200, boost::json::object{{field, *n}});
}

}  // namespace

void add_queue_routes(http::router& r, db::pool& pool) {
  using http::request, http::response, http::route_params;
  r.add("GET", "/api/v1/queue", [&pool](request const& req, route_params const&) -> asio::awaitable<response> {
    auto filter = read_filter(req);
    if (!filter) co_return http::error_response(filter.error());
    auto listing = co_await list_queue(pool, *filter);
    if (!listing) co_return http::error_response(listing.error());
    boost::json::array messages;
    for (auto const& m : listing->messages) messages.push_back(message_json(m));
    co_return http::json_response(200, boost::json::object{{"page", filter->page},
                                                           {"page_size", filter->page_size},
                                                           {"total", listing->total},
                                                           {"messages", std::move(messages)}});
  });
  r.add("GET", "/api/v1/queue/{id}", [&pool](request const&, route_params const& p) -> asio::awaitable<response> {
    auto found = co_await show_queued(pool, std::string(p.get("id")));
    if (!found) co_return http::error_response(found.error());
    if (!*found) co_return http::error_response(404, "not_found", "no such message in the queue");
    auto out = message_json((*found)->message);
    boost::json::array attempts;
    for (auto const& a : (*found)->attempts)
      attempts.push_back(boost::json::object{{"at", a.at},     {"recipient", a.recipient}, {"host", a.host},
                                             {"code", a.code}, {"reply", a.reply},         {"outcome", a.outcome}});
    out["attempts_made"] = std::move(attempts);
    co_return http::json_response(200, out);
  });
  r.add("POST", "/api/v1/queue/flush", [&pool](request const& req, route_params const&) -> asio::awaitable<response> {
    auto n = co_await flush_queue(pool, req.remote_address);
    if (!n) co_return http::error_response(n.error());
    co_return http::json_response(200, boost::json::object{{"rescheduled", *n}});
  });
  r.add("DELETE", "/api/v1/queue", [&pool](request const& req, route_params const&) -> asio::awaitable<response> {
    auto n = co_await clear_queue(pool, req.remote_address);
    if (!n) co_return http::error_response(n.error());
    co_return http::json_response(200, boost::json::object{{"deleted", *n}});
  });
  r.add("POST", "/api/v1/queue/{id}/resend", [&pool](request const& req, route_params const& p) -> asio::awaitable<response> {
    auto n = co_await resend_queued(pool, std::string(p.get("id")), req.remote_address);
    co_return count_or_not_found(n, "rescheduled");
  });
  r.add("DELETE", "/api/v1/queue/{id}", [&pool](request const& req, route_params const& p) -> asio::awaitable<response> {
    auto n = co_await delete_queued(pool, std::string(p.get("id")), req.remote_address);
    co_return count_or_not_found(n, "deleted");
  });
}

}  // namespace posta::mail::queue
