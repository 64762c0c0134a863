// /api/v1/xmpp/sessions: list and kick (issue 11 "Administration").
#include "jabber/server/admin_routes.hpp"

#include "core/http/router.hpp"
#include "core/journal/journal.hpp"
#include "core/util/async.hpp"
#include "jabber/server/session_table.hpp"
#include "jabber/xml/jid.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace posta::jabber::server {
namespace {

boost::json::object session_json(session_view const& s, std::string const& node) {
  return {{"jid", s.jid}, {"account", s.account}, {"resource", s.resource}, {"client_ip", s.client_ip},
          {"tls", s.tls}, {"since", s.since},     {"client", s.client},     {"node", node}};
}

http::response bad_jid(std::string_view text) {
  return http::error_response(400, "bad_request", "'" + std::string(text) + "' is not a valid JID");
}

}  // namespace

void add_admin_routes(http::router& r, session_table& table, std::string node) {
  using http::request, http::response, http::route_params;
  r.add("GET", "/api/v1/xmpp/sessions",
        [&table, node](request const& req, route_params const&) -> asio::awaitable<response> {
          std::optional<std::string> account;
          if (auto a = req.query.find("account"); a != req.query.end()) {
            auto jid = xml::parse_jid(a->second);
            if (!jid || !jid->resource().empty()) co_return bad_jid(a->second);
            account = jid->bare();
          }
          boost::json::array all;
          for (auto const& s : table.list(account)) all.push_back(session_json(s, node));
          co_return http::json_response(200, boost::json::object{{"node", node}, {"sessions", std::move(all)}});
        });
  r.add("DELETE", "/api/v1/xmpp/sessions/{jid}",
        [&table, node](request const&, route_params const& p) -> asio::awaitable<response> {
          auto jid = xml::parse_jid(p.get("jid"));
          if (!jid) co_return bad_jid(p.get("jid"));
          // policy-violation (RFC 6120 4.9.3.14): the server's administrator ended it.
          auto const kicked =
              table.kick(jid->full(), proto::stream_condition::policy_violation, "ended by the administrator");
          if (kicked == 0)
            co_return http::error_response(404, "not_found", "no session of " + jid->full() + " on this node");
          journal::record(journal::level::info, "xmpp", "sessions ended by the administrator",
                          {{"jid", jid->full()}, {"sessions", kicked}});
          co_return http::json_response(200,
                                        boost::json::object{{"jid", jid->full()}, {"kicked", kicked}, {"node", node}});
        });
}

}  // namespace posta::jabber::server
