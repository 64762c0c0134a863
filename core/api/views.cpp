// JSON views of identity objects.
#include "core/api/views.hpp"

#include <boost/json/parse.hpp>

namespace posta::api {
namespace json = boost::json;

namespace {
json::array strings(std::vector<std::string> const& v) {
  json::array out;
  for (auto const& s : v) out.emplace_back(s);
  return out;
}

// The TXT record as the administrator publishes it (RFC 6376 3.6.2.1).
json::value dkim_json(identity::domain_info const& d) {
  if (!d.dkim) return nullptr;
  return json::object{{"selector", d.dkim->selector},
                      {"record_name", identity::dkim_record_name(d.dkim->selector, d.name)},
                      {"record_type", "TXT"},
                      {"record_value", identity::dkim_record_value(d.dkim->public_key)},
                      {"created_at", d.dkim->created_at}};
}

}  // namespace

json::object to_json(identity::domain_info const& d) {
  return {{"name", d.name}, {"description", d.description},
          {"catch_all", d.catch_all ? json::value(*d.catch_all) : json::value(nullptr)}, {"source", d.source},
          {"accounts", d.accounts}, {"created_at", d.created_at}, {"dkim", dkim_json(d)},
          {"shared_roster", d.shared_roster}};
}

json::object to_json(identity::account_info const& a) {
  json::object out{{"address", a.address},       {"domain", a.domain},         {"display_name", a.display_name},
                   {"enabled", a.enabled},       {"quota_bytes", a.quota_bytes}, {"used_bytes", a.used_bytes},
                   {"source", a.source},         {"created_at", a.created_at},
                   {"quota_messages", a.quota_messages}, {"used_messages", a.used_messages}};
  if (a.mailboxes) {
    json::array boxes;
    for (auto const& m : *a.mailboxes)
      boxes.push_back(json::object{{"name", m.name},
                                   {"special_use", m.special_use ? json::value(*m.special_use) : json::value(nullptr)},
                                   {"messages", m.messages},
                                   {"bytes", m.bytes}});
    out["mailboxes"] = std::move(boxes);
  }
  auto parsed = [](std::optional<std::string> const& text) -> json::value {
    boost::system::error_code ec;
    auto v = text ? json::parse(*text, ec) : json::value(nullptr);
    return ec ? json::value(nullptr) : v;
  };
  if (a.directory_json) out["directory"] = parsed(a.directory_json);
  if (a.directory_attributes_json) out["directory_attributes"] = parsed(a.directory_attributes_json);
  return out;
}

json::object to_json(identity::alias_info const& a) {
  return {{"address", a.address}, {"domain", a.domain}, {"targets", strings(a.targets)}};
}

json::object to_json(identity::group_info const& g) {
  return {{"address", g.address}, {"domain", g.domain}, {"name", g.name}, {"members", strings(g.members)}};
}

http::response respond_deleted(result<void> const& r) {
  if (!r) return http::error_response(r.error());
  return http::response{204, "application/json", "", {}};
}

}  // namespace posta::api
