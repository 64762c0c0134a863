// Table and field layouts of each API resource for the CLI's human output.
// Table-driven: one column list per resource, shared by lists and details.
#include "app/cli/render.hpp"

#include "app/cli/size.hpp"
#include "app/cli/table.hpp"
#include "core/util/ascii.hpp"

#include <boost/json.hpp>

#include <cctype>
#include <cstdio>
#include <optional>
#include <vector>

namespace posta::cli {
namespace {

namespace json = boost::json;

enum class format { text, size, quota, yes_no, count };

struct column {
  std::string_view header;  // "QUOTA"; detail label is "Quota"
  std::string_view field;
  format fmt = format::text;
  bool in_list = true;
  bool in_detail = true;
};

struct layout {
  std::string_view list_key;  // "accounts"
  std::vector<column> columns;
};

layout const& layout_of(resource kind) {
  static layout const domain{"domains",
                             {{"NAME", "name"},
                              {"ACCOUNTS", "accounts"},
                              {"DESCRIPTION", "description"},
                              {"CATCH-ALL", "catch_all", format::text, false},
                              {"CREATED", "created_at"},
                              {"SHARED ROSTER", "shared_roster", format::yes_no, false},
                              // The DKIM record to publish, exactly as the API gives it.
                              {"DKIM SELECTOR", "dkim.selector", format::text, false},
                              {"DKIM RECORD", "dkim.record_name", format::text, false},
                              {"DKIM TXT", "dkim.record_value", format::text, false}}};
  static layout const account{"accounts",
                              {{"ADDRESS", "address"},
                               {"NAME", "display_name"},
                               {"ENABLED", "enabled", format::yes_no},
                               {"QUOTA", "quota_bytes", format::quota},
                               {"USED", "used_bytes", format::size},
                               {"SOURCE", "source"},
                               {"DOMAIN", "domain", format::text, false},
                               {"CREATED", "created_at", format::text, false}}};
  static layout const alias{
      "aliases", {{"ADDRESS", "address"}, {"DOMAIN", "domain", format::text, false}, {"TARGETS", "targets"}}};
  static layout const group{"groups",
                            {{"ADDRESS", "address"},
                             {"NAME", "name"},
                             {"DOMAIN", "domain", format::text, false},
                             {"MEMBERS", "members", format::count, true, false},
                             {"MEMBERS", "members", format::text, false, true}}};
  static layout const setting{"settings",
                              {{"KEY", "key"},
                               {"VALUE", "value"},
                               {"DEFAULT", "default"},
                               {"TYPE", "type"},
                               {"DESCRIPTION", "description", format::text, false}}};
  static layout const service{
      "services", {{"NAME", "name"}, {"ENABLED", "enabled", format::yes_no}, {"STATE", "state"}, {"DETAIL", "detail"}}};
  static layout const storage{"tables",
                              {{"DATABASE", "database_bytes", format::size},
                               {"BODIES IN THE DATABASE", "bodies_in_database"},
                               {"THEIR SIZE", "body_bytes_in_database", format::size},
                               {"BODIES IN FILES", "bodies_in_files"},
                               {"THEIR SIZE", "body_bytes_in_files", format::size},
                               {"UNREFERENCED BODIES", "unreferenced_bodies"}}};
  static layout const storage_purge{"",
                                    {{"BODIES DELETED", "bodies_deleted"},
                                     {"ORPHAN FILES ADOPTED", "orphan_files_adopted"},
                                     {"TEMP FILES DELETED", "temp_files_deleted"},
                                     {"REDUNDANT FILES DELETED", "redundant_files_deleted"},
                                     {"GRACE SECONDS", "grace_seconds"}}};
  static layout const xmpp_session{"sessions",
                                   {{"JID", "jid"},
                                    {"CLIENT IP", "client_ip"},
                                    {"TLS", "tls", format::yes_no},
                                    {"SINCE", "since"},
                                    {"CLIENT", "client"}}};
  static layout const directory_source{"sources",
                                       {{"NAME", "name"},
                                        {"PROFILE", "profile"},
                                        {"URIS", "uris"},
                                        {"ENABLED", "enabled", format::yes_no},
                                        {"ACCOUNTS", "accounts"},
                                        {"SYNC", "sync.status"},
                                        {"LAST SYNC", "sync.finished_at"},
                                        {"SYNC MESSAGE", "sync.message", format::text, false},
                                        {"INCREMENTAL", "sync.incremental.kind", format::text, false},
                                        {"POSITIONS", "sync.incremental.positions", format::text, false},
                                        {"BIND DN", "bind_dn", format::text, false},
                                        {"BIND PASSWORD SET", "bind_password_set", format::yes_no, false},
                                        {"BASE DNS", "base_dns", format::text, false},
                                        {"MANAGED DOMAINS", "managed_domains", format::text, false},
                                        {"USER FILTER", "user_filter", format::text, false},
                                        {"GROUP FILTER", "group_filter", format::text, false},
                                        {"START TLS", "start_tls", format::yes_no, false},
                                        {"TLS VERIFY", "tls_verify", format::yes_no, false},
                                        {"CA FILE", "ca_file", format::text, false},
                                        {"TIMEOUT SECONDS", "timeout_seconds", format::text, false},
                                        {"SYNC INTERVAL SECONDS", "sync_interval_seconds", format::text, false},
                                        {"MAX DISABLE PERCENT", "max_disable_percent", format::text, false},
                                        {"DELETE AFTER DAYS", "delete_after_days", format::text, false},
                                        {"CREATED", "created_at", format::text, false}}};
  switch (kind) {
    case resource::directory_source:
      return directory_source;
    case resource::xmpp_session:
      return xmpp_session;
    case resource::storage:
      return storage;
    case resource::storage_purge:
      return storage_purge;
    case resource::domain:
      return domain;
    case resource::account:
      return account;
    case resource::alias:
      return alias;
    case resource::group:
      return group;
    case resource::setting:
      return setting;
    case resource::service:
      return service;
    case resource::queue:
      break;  // rendered by render_queue*()
  }
  return domain;
}

std::optional<std::int64_t> as_integer(json::value const& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v.get_uint64());
  return std::nullopt;
}

std::string format_cell(json::value const* v, format fmt) {
  if (v == nullptr || v->is_null()) return "-";
  switch (fmt) {
    case format::size:
    case format::quota: {
      auto const n = as_integer(*v);
      if (!n) break;
      return fmt == format::size ? format_size(*n) : format_quota(*n);
    }
    case format::yes_no:
      if (v->is_bool()) return v->get_bool() ? "yes" : "no";
      break;
    case format::count:
      if (v->is_array()) return std::to_string(v->get_array().size());
      break;
    case format::text:
      break;
  }
  return cell_text(*v);
}

// "dkim.selector": the field of a nested object.
json::value const* field_of(json::value const& obj, std::string_view name) {
  if (auto dot = name.find('.'); dot != std::string_view::npos) {
    auto const* outer = field_of(obj, name.substr(0, dot));
    return outer == nullptr ? nullptr : field_of(*outer, name.substr(dot + 1));
  }
  return obj.is_object() ? obj.get_object().if_contains(name) : nullptr;
}

std::string detail_label(std::string_view header) {
  if (header.empty()) return {};
  return header.front() + util::ascii_lowercase(header.substr(1));
}

}  // namespace

std::string cell_text(json::value const& v) {
  if (v.is_null()) return "-";
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_array()) {
    if (v.get_array().empty()) return "-";
    std::string out;
    for (auto const& item : v.get_array()) out += (out.empty() ? "" : ", ") + cell_text(item);
    return out;
  }
  if (v.is_double()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v.get_double());
    return buf;
  }
  return json::serialize(v);
}

std::string render_list(resource kind, json::value const& doc) {
  auto const& l = layout_of(kind);
  auto const* items = field_of(doc, l.list_key);
  if (items == nullptr || !items->is_array()) return "unexpected answer from the API\n";
  if (items->get_array().empty()) return "no " + std::string(l.list_key) + "\n";
  std::vector<std::string> headers;
  for (auto const& c : l.columns)
    if (c.in_list) headers.emplace_back(c.header);
  table t(std::move(headers));
  for (auto const& item : items->get_array()) {
    std::vector<std::string> row;
    for (auto const& c : l.columns)
      if (c.in_list) row.push_back(format_cell(field_of(item, c.field), c.fmt));
    t.add_row(std::move(row));
  }
  return t.render();
}

std::string render_one(resource kind, json::value const& obj) {
  std::vector<std::pair<std::string, std::string>> fields;
  for (auto const& c : layout_of(kind).columns)
    if (c.in_detail) fields.emplace_back(detail_label(c.header), format_cell(field_of(obj, c.field), c.fmt));
  return render_fields(fields);
}

std::string render_storage(json::value const& doc) {
  std::string out = render_one(resource::storage, doc);
  auto const* tables = field_of(doc, "tables");
  if (tables == nullptr || !tables->is_array() || tables->get_array().empty()) return out;
  table t({"TABLE", "SIZE", "ROWS", "DEAD ROWS", "AUTOVACUUMS", "LAST AUTOVACUUM"});
  for (auto const& r : tables->get_array())
    t.add_row({format_cell(field_of(r, "name"), format::text), format_cell(field_of(r, "bytes"), format::size),
               format_cell(field_of(r, "live_rows"), format::text), format_cell(field_of(r, "dead_rows"), format::text),
               format_cell(field_of(r, "autovacuum_runs"), format::text),
               format_cell(field_of(r, "last_autovacuum"), format::text)});
  return out + "\n" + t.render();
}

namespace {

std::string journal_text(json::value const& entry) {
  std::string text = format_cell(field_of(entry, "text"), format::text);
  auto const* fields = field_of(entry, "fields");
  if (fields != nullptr && fields->is_object())
    for (auto const& kv : fields->get_object()) {
      // Appended piece by piece: `" " + std::string(…)` trips g++ 12's -Wrestrict at -O2.
      text += ' ';
      text += kv.key();
      text += '=';
      text += cell_text(kv.value());
    }
  return text;
}

std::string journal_heading(json::value const& doc) {
  auto const integer = [&](std::string_view name, std::int64_t fallback) {
    auto const* v = field_of(doc, name);
    return v == nullptr ? fallback : as_integer(*v).value_or(fallback);
  };
  auto const total = integer("total", 0);
  auto const page = integer("page", 1);
  auto const size = integer("page_size", 100);
  auto const pages = size > 0 ? std::max<std::int64_t>(1, (total + size - 1) / size) : 1;
  return format_cell(field_of(doc, "date"), format::text) + "  page " + std::to_string(page) + " of " +
         std::to_string(pages) + "  (" + std::to_string(total) + (total == 1 ? " entry" : " entries") + ")\n";
}

}  // namespace

std::string render_journal(json::value const& doc) {
  std::string out = journal_heading(doc);
  auto const* entries = field_of(doc, "entries");
  if (entries == nullptr || !entries->is_array() || entries->get_array().empty()) return out;
  table t({"TIME", "LEVEL", "SERVICE", "TEXT"});
  for (auto const& e : entries->get_array())
    t.add_row({format_cell(field_of(e, "time"), format::text), format_cell(field_of(e, "level"), format::text),
               format_cell(field_of(e, "service"), format::text), journal_text(e)});
  return out + t.render();
}

std::string format_age(std::int64_t seconds) {
  if (seconds < 0) seconds = 0;
  char buf[32];
  if (seconds < 60) {
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(seconds));
  } else if (seconds < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(seconds / 60),
                  static_cast<long long>(seconds % 60));
  } else if (seconds < 86400) {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(seconds / 3600),
                  static_cast<long long>(seconds / 60 % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lldd%02lldh", static_cast<long long>(seconds / 86400),
                  static_cast<long long>(seconds / 3600 % 24));
  }
  return buf;
}

namespace {

std::string text_of(json::value const& obj, std::string_view name) {
  return format_cell(field_of(obj, name), format::text);
}

std::string recipient_addresses(json::value const& message) {
  std::string out;
  auto const* rcpts = field_of(message, "recipients");
  if (rcpts == nullptr || !rcpts->is_array()) return "-";
  for (auto const& r : rcpts->get_array()) {
    if (!out.empty()) out += ", ";
    out += text_of(r, "address");
  }
  return out.empty() ? "-" : out;
}

// "451 4.4.1 connection refused" or "-" before the first attempt.
std::string last_reply_of(json::value const& obj) {
  auto reply = text_of(obj, "last_reply");
  return reply.empty() ? "-" : reply;
}

std::string age_of(json::value const& message) {
  auto const* v = field_of(message, "age_seconds");
  auto n = v == nullptr ? std::nullopt : as_integer(*v);
  return n ? format_age(*n) : "-";
}

std::string sender_of(json::value const& message) {
  auto sender = text_of(message, "sender");
  return sender.empty() ? "<>" : sender;
}

}  // namespace

std::string render_queue(json::value const& doc) {
  auto const* total = field_of(doc, "total");
  auto const n = total == nullptr ? std::nullopt : as_integer(*total);
  auto const* messages = field_of(doc, "messages");
  if (messages == nullptr || !messages->is_array()) return "unexpected answer from the API\n";
  if (n.value_or(0) == 0) return "the queue is empty\n";
  std::string out = std::to_string(*n) + (*n == 1 ? " message" : " messages") + " in the queue\n";
  table t({"ID", "SENDER", "RECIPIENTS", "SIZE", "AGE", "ATTEMPTS", "NEXT ATTEMPT", "LAST REPLY"});
  for (auto const& m : messages->get_array())
    t.add_row({text_of(m, "id"), sender_of(m), recipient_addresses(m), format_cell(field_of(m, "size"), format::size),
               age_of(m), text_of(m, "attempts"), text_of(m, "next_attempt_at"), last_reply_of(m)});
  return out + t.render();
}

std::string render_queued_message(json::value const& doc) {
  std::string out = render_fields({{"Id", text_of(doc, "id")},
                                   {"Sender", sender_of(doc)},
                                   {"Size", format_cell(field_of(doc, "size"), format::size)},
                                   {"Queued", text_of(doc, "queued_at") + " (" + age_of(doc) + " ago)"}});
  table recipients({"RECIPIENT", "ATTEMPTS", "NEXT ATTEMPT", "IN DELIVERY", "LAST REPLY"});
  if (auto const* rcpts = field_of(doc, "recipients"); rcpts != nullptr && rcpts->is_array())
    for (auto const& r : rcpts->get_array())
      recipients.add_row({text_of(r, "address"), text_of(r, "attempts"), text_of(r, "next_attempt_at"),
                          format_cell(field_of(r, "in_delivery"), format::yes_no), last_reply_of(r)});
  out += "\n" + recipients.render();
  auto const* attempts = field_of(doc, "attempts_made");
  if (attempts == nullptr || !attempts->is_array() || attempts->get_array().empty()) return out + "\nno attempts yet\n";
  table tries({"TIME", "RECIPIENT", "OUTCOME", "HOST", "REPLY"});
  for (auto const& a : attempts->get_array()) {
    auto host = text_of(a, "host");
    tries.add_row({text_of(a, "at"), text_of(a, "recipient"), text_of(a, "outcome"), host.empty() ? "-" : host,
                   text_of(a, "reply")});
  }
  return out + "\n" + tries.render();
}

std::string render_queue_action(json::value const& doc) {
  for (std::string_view what : {"rescheduled", "deleted"})
    if (auto const* v = field_of(doc, what); v != nullptr)
      if (auto n = as_integer(*v)) {
        std::string out = std::to_string(*n) + (*n == 1 ? " recipient " : " recipients ");
        out += what;
        return out + "\n";
      }
  return "unexpected answer from the API\n";
}

namespace {

// One line per item of doc[field]: "VERB address", "VERB address (was old): changed, …",
// or "VERB dn: reason" for conflicts and skipped entries.
void change_lines(std::string& out, json::value const& doc, std::string_view field, std::string_view verb) {
  auto const* items = field_of(doc, field);
  if (items == nullptr || !items->is_array()) return;
  for (auto const& item : items->get_array()) {
    std::string line(verb);
    line += ' ';
    if (item.is_string()) {
      line += item.get_string();
    } else if (field == "created") {
      line += text_of(item, "address") + " (" + text_of(item, "members") + " members)";
    } else if (field == "updated") {
      line += text_of(item, "address");
      if (text_of(item, "was") != text_of(item, "address")) line += " (was " + text_of(item, "was") + ")";
      line += ": " + text_of(item, "changed");
    } else {
      line += text_of(item, "dn") + ": " + text_of(item, "reason");
    }
    out += line + "\n";
  }
}

std::size_t count_of(json::value const& doc, std::string_view field) {
  auto const* items = field_of(doc, field);
  return items != nullptr && items->is_array() ? items->get_array().size() : 0;
}

}  // namespace

std::string render_directory_sync(json::value const& doc) {
  std::string out;
  bool const dry = text_of(doc, "dry_run") == "true";
  change_lines(out, doc, "domains_created", dry ? "would create domain" : "created domain");
  change_lines(out, doc, "created", dry ? "would create" : "created");
  change_lines(out, doc, "updated", dry ? "would update" : "updated");
  change_lines(out, doc, "missing",
               dry ? "would disable (gone from the directory)" : "disabled (gone from the directory)");
  change_lines(out, doc, "deleted", "deleted (grace period over)");
  change_lines(out, doc, "conflicts", "conflict");
  change_lines(out, doc, "skipped", "skipped");
  if (auto const* groups = field_of(doc, "groups"); groups != nullptr) {
    change_lines(out, *groups, "created", dry ? "would create group" : "created group");
    change_lines(out, *groups, "updated", dry ? "would update group" : "updated group");
    change_lines(out, *groups, "deleted", dry ? "would delete group" : "deleted group");
    change_lines(out, *groups, "conflicts", "group conflict");
  }
  if (text_of(doc, "stopped") == "true")
    return out + "stopped: " + text_of(doc, "stop_reason") +
           "; nothing was changed (run again with --force if this is right)\n";
  out += dry ? "dry run: " : "";
  out += text_of(doc, "entries") + " directory entries; ";
  out += std::to_string(count_of(doc, "created")) + (dry ? " to create, " : " created, ");
  out += std::to_string(count_of(doc, "updated")) + (dry ? " to update, " : " updated, ");
  out += std::to_string(count_of(doc, "missing")) + (dry ? " to disable, " : " disabled, ");
  out += std::to_string(count_of(doc, "conflicts")) + " conflicts\n";
  return out;
}

}  // namespace posta::cli
