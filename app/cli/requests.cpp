// The admin API request of each CLI command (docs/api.md routes).
#include "app/cli/requests.hpp"

#include "core/http/target.hpp"

#include <boost/json.hpp>

namespace posta::cli {
namespace {

constexpr std::string_view api = "/api/v1/";

std::string_view collection(resource kind) {
  switch (kind) {
    case resource::domain: return "domains";
    case resource::account: return "accounts";
    case resource::alias: return "aliases";
    case resource::group: return "groups";
    case resource::setting: return "settings";
    case resource::service: return "services";
    case resource::storage:
    case resource::storage_purge: return "storage";
    case resource::queue: return "queue";
    case resource::xmpp_session: return "xmpp/sessions";
    case resource::directory_source: return "directory/sources";
  }
  return "domains";
}

std::string_view singular(resource kind) {
  switch (kind) {
    case resource::domain: return "domain";
    case resource::account: return "account";
    case resource::alias: return "alias";
    case resource::group: return "group";
    case resource::setting: return "setting";
    case resource::service: return "service";
    case resource::storage:
    case resource::storage_purge: return "storage";
    case resource::queue: return "queued message";
    case resource::xmpp_session: return "XMPP session";
    case resource::directory_source: return "directory source";
  }
  return "object";
}

// "/api/v1/accounts/bob%40x.test": the id is one path segment, so it is encoded.
std::string item_target(resource kind, std::string_view id) {
  return std::string(api) + std::string(collection(kind)) + "/" + http::percent_encode(id);
}

void add_query(std::string& target, std::string_view name, std::string_view value) {
  target += target.find('?') == std::string::npos ? '?' : '&';
  target += std::string(name) + "=" + http::percent_encode(value);
}

}  // namespace

api_call list_call(resource kind, std::optional<std::string> const& domain) {
  api_call c{"GET", std::string(api) + std::string(collection(kind)), std::nullopt, kind, output::list, {}};
  if (domain) add_query(c.target, "domain", *domain);
  return c;
}

api_call show_call(resource kind, std::string_view id) {
  return {"GET", item_target(kind, id), std::nullopt, kind, output::one, {}};
}

api_call create_call(resource kind, boost::json::object const& fields) {
  return {"POST", std::string(api) + std::string(collection(kind)), boost::json::serialize(fields), kind,
          output::one, {}};
}

api_call remove_call(resource kind, std::string_view id) {
  return {"DELETE", item_target(kind, id), std::nullopt, kind, output::message,
          "removed " + std::string(singular(kind)) + " " + std::string(id)};
}

api_call update_call(resource kind, std::string_view id, boost::json::object const& fields) {
  return {"PATCH", item_target(kind, id), boost::json::serialize(fields), kind, output::one, {}};
}

api_call account_update_call(std::string_view address, boost::json::object const& fields) {
  return update_call(resource::account, address, fields);
}

api_call group_member_add_call(std::string_view group, std::string_view member) {
  boost::json::object body{{"address", member}};
  return {"POST", item_target(resource::group, group) + "/members", boost::json::serialize(body), resource::group,
          output::one, {}};
}

api_call group_member_remove_call(std::string_view group, std::string_view member) {
  return {"DELETE", item_target(resource::group, group) + "/members/" + http::percent_encode(member), std::nullopt,
          resource::group, output::one, {}};
}

boost::json::value setting_value(std::string_view text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec) return boost::json::string(text);
  return v;
}

api_call setting_set_call(std::string_view key, std::string_view value_text) {
  boost::json::object body;
  body["value"] = setting_value(value_text);
  return {"PUT", item_target(resource::setting, key), boost::json::serialize(body), resource::setting,
          output::one, {}};
}

api_call service_toggle_call(std::string_view name, bool enable) {
  return {"POST", item_target(resource::service, name) + (enable ? "/enable" : "/disable"), std::nullopt,
          resource::service, output::one, {}};
}

api_call dkim_rotate_call(std::string_view domain) {
  return {"POST", item_target(resource::domain, domain) + "/dkim/rotate", std::nullopt, resource::domain, output::one,
          {}};
}

api_call storage_call() {
  return {"GET", std::string(api) + "storage", std::nullopt, resource::storage, output::storage, {}};
}

api_call storage_purge_call() {
  return {"POST", std::string(api) + "storage/purge", std::nullopt, resource::storage_purge, output::one, {}};
}

api_call journal_call(journal_query const& q) {
  api_call c{"GET", std::string(api) + "journal", std::nullopt, resource::domain, output::journal, {}};
  if (q.date) add_query(c.target, "date", *q.date);
  if (q.page) add_query(c.target, "page", std::to_string(*q.page));
  if (q.page_size) add_query(c.target, "page_size", std::to_string(*q.page_size));
  if (q.level) add_query(c.target, "level", *q.level);
  if (q.service) add_query(c.target, "service", *q.service);
  return c;
}

api_call xmpp_sessions_call(std::optional<std::string> const& account) {
  api_call c = list_call(resource::xmpp_session);
  if (account) add_query(c.target, "account", *account);
  return c;
}

api_call xmpp_kick_call(std::string_view jid) {
  return {"DELETE", item_target(resource::xmpp_session, jid), std::nullopt, resource::xmpp_session, output::message,
          "ended the XMPP sessions of " + std::string(jid)};
}

api_call account_signature_call(std::string_view address, bool text) {
  api_call c{"GET", item_target(resource::account, address) + "/signature", std::nullopt, resource::account,
             output::field, {}};
  c.field = text ? "text" : "html";
  return c;
}

api_call directory_sync_call(std::string_view name, bool dry_run, bool force) {
  boost::json::object body{{"dry_run", dry_run}, {"force", force}};
  return {"POST", item_target(resource::directory_source, name) + "/sync", boost::json::serialize(body),
          resource::directory_source, output::directory_sync, {}};
}

api_call queue_list_call(queue_query const& q) {
  api_call c{"GET", std::string(api) + "queue", std::nullopt, resource::queue, output::queue, {}};
  if (q.text) add_query(c.target, "q", *q.text);
  if (q.page) add_query(c.target, "page", std::to_string(*q.page));
  if (q.page_size) add_query(c.target, "page_size", std::to_string(*q.page_size));
  return c;
}

api_call queue_show_call(std::string_view id) {
  return {"GET", item_target(resource::queue, id), std::nullopt, resource::queue, output::queued, {}};
}

api_call queue_flush_call() {
  return {"POST", std::string(api) + "queue/flush", std::nullopt, resource::queue, output::queue_action, {}};
}

api_call queue_resend_call(std::string_view id) {
  return {"POST", item_target(resource::queue, id) + "/resend", std::nullopt, resource::queue, output::queue_action, {}};
}

api_call queue_delete_call(std::string_view id) {
  return {"DELETE", item_target(resource::queue, id), std::nullopt, resource::queue, output::queue_action, {}};
}

api_call queue_clear_call() {
  return {"DELETE", std::string(api) + "queue", std::nullopt, resource::queue, output::queue_action, {}};
}

}  // namespace posta::cli
