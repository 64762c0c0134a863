// Each CLI command as the admin API request it makes (docs/api.md) and how
// its answer is shown. Pure: arguments in, method/target/body out.
#pragma once

#include "app/cli/render.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace posta::cli {

enum class output { list, one, journal, storage, message, queue, queued, queue_action, directory_sync, field,
                    search_hits, search_reindex };

struct api_call {
  std::string method;
  std::string target;               // "/api/v1/accounts/bob%40x.test?…", encoded
  std::optional<std::string> body;  // serialised JSON
  resource kind = resource::domain;
  output shown = output::one;
  std::string done_message;         // for output::message (204 answers)
  std::string field = {};           // for output::field: the one member printed as it is
};

api_call list_call(resource kind, std::optional<std::string> const& domain = std::nullopt);
api_call show_call(resource kind, std::string_view id);
api_call create_call(resource kind, boost::json::object const& fields);
api_call remove_call(resource kind, std::string_view id);

// PATCH /<resource>/{id} with the fields to change.
api_call update_call(resource kind, std::string_view id, boost::json::object const& fields);
// PATCH /accounts/{address} with some of password, display_name, quota_bytes, enabled.
api_call account_update_call(std::string_view address, boost::json::object const& fields);
api_call group_member_add_call(std::string_view group, std::string_view member);
api_call group_member_remove_call(std::string_view group, std::string_view member);
api_call setting_set_call(std::string_view key, std::string_view value_text);
api_call service_toggle_call(std::string_view name, bool enable);
// POST /domains/{name}/dkim/rotate.
api_call dkim_rotate_call(std::string_view domain);

// GET /storage and POST /storage/purge.
api_call storage_call();
api_call storage_purge_call();

struct journal_query {
  std::optional<std::string> date, level, service;
  std::optional<int> page, page_size;
};
api_call journal_call(journal_query const& q);

// The mail queue: list (a search text, page), show, flush, resend, delete, clear.
struct queue_query {
  std::optional<std::string> text;
  std::optional<int> page, page_size;
};
api_call queue_list_call(queue_query const& q);
api_call queue_show_call(std::string_view id);
api_call queue_flush_call();
api_call queue_resend_call(std::string_view id);
api_call queue_delete_call(std::string_view id);
api_call queue_clear_call();

// XMPP: GET /xmpp/sessions[?account=], DELETE /xmpp/sessions/{jid}.
api_call xmpp_sessions_call(std::optional<std::string> const& account);
api_call xmpp_kick_call(std::string_view jid);

// GET /accounts/{address}/signature, printing its "html" or "text".
api_call account_signature_call(std::string_view address, bool text);

// POST /directory/sources/{name}/sync with {"dry_run", "force"}.
api_call directory_sync_call(std::string_view name, bool dry_run, bool force);

// "42" → 42, "true" → true, "[\"a\"]" → ["a"], "\"x\"" → "x"; anything that is
// not valid JSON is the string itself ("smtp.example.test").
boost::json::value setting_value(std::string_view text);

}  // namespace posta::cli
