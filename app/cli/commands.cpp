// The administration commands of the `posta` binary: CLI11 definitions and
// callbacks that turn arguments into admin API calls (docs/api.md).
#include "app/cli/commands.hpp"

#include "app/cli/api_client.hpp"
#include "app/cli/password.hpp"
#include "app/cli/search_commands.hpp"
#include "app/cli/size.hpp"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>

namespace posta::cli {
namespace {

// Storage for every verb's arguments; only one verb runs per invocation.
struct arguments {
  std::string name, description, address, target_group, value, domain, password, size;
  bool password_stdin = false, text = false;
  std::vector<std::string> targets;
  journal_query journal;
  std::string journal_date, journal_level, journal_service;
  int journal_page = 0, journal_page_size = 0;
};

std::optional<std::string> given(CLI::Option const* opt, std::string const& value) {
  return opt->count() > 0 ? std::optional<std::string>(value) : std::nullopt;
}

CLI::App* noun(CLI::App& app, std::string name, std::string description) {
  auto* sub = app.add_subcommand(std::move(name), std::move(description));
  sub->require_subcommand(1);
  return sub;
}

void add_domain_commands(CLI::App& app, invocation& inv, arguments& a) {
  auto* domain = noun(app, "domain", "Mail and XMPP domains (each is also an XMPP host)");
  auto* add = domain->add_subcommand("add", "Create a domain");
  add->add_option("NAME", a.name, "Domain name, e.g. example.org (IDN allowed)")->required();
  auto* desc = add->add_option("--description,-d", a.description, "Free text shown in listings");
  add->callback([&inv, &a, desc] {
    boost::json::object body{{"name", a.name}};
    if (desc->count()) body["description"] = a.description;
    inv.call = create_call(resource::domain, body);
  });
  domain->add_subcommand("list", "List domains with their account counts")->callback([&inv] {
    inv.call = list_call(resource::domain);
  });
  auto* show = domain->add_subcommand("show", "Show one domain");
  show->add_option("NAME", a.name, "Domain name")->required();
  show->callback([&inv, &a] { inv.call = show_call(resource::domain, a.name); });
  auto* set = domain->add_subcommand("set", "Change a domain's description, catch-all address or shared roster");
  set->add_option("NAME", a.name, "Domain name")->required();
  auto* description = set->add_option("--description", a.description, "Free text");
  auto* catch_all = set->add_option("--catch-all", a.target_group,
                                    "Local address that receives mail for unknown recipients (\"\" to turn off)");
  auto* shared = set->add_option("--shared-roster", a.value,
                                 "on: every XMPP account of the domain is in each other's roster (xmpp.shared_roster)")
                     ->check(CLI::IsMember({"on", "off"}));
  set->callback([&inv, &a, description, catch_all, shared] {
    boost::json::object fields;
    if (*description) fields["description"] = a.description;
    if (*catch_all) fields["catch_all"] = a.target_group;
    if (*shared) fields["shared_roster"] = a.value == "on";
    inv.call = update_call(resource::domain, a.name, fields);
  });
  auto* rm = domain->add_subcommand("rm", "Delete a domain (refused while it has accounts, aliases or groups)");
  rm->add_option("NAME", a.name, "Domain name")->required();
  rm->callback([&inv, &a] { inv.call = remove_call(resource::domain, a.name); });
  auto* rotate = domain->add_subcommand("dkim-rotate", "Make a new DKIM key for a domain (the old one is retired)");
  rotate->add_option("NAME", a.name, "Domain name")->required();
  rotate->callback([&inv, &a] { inv.call = dkim_rotate_call(a.name); });
}

CLI::Option* add_password_options(CLI::App* cmd, arguments& a) {
  auto* pw = cmd->add_option("--password,-p", a.password,
                             "The password (visible to other local users in ps; prefer --password-stdin)");
  auto* pw_stdin = cmd->add_flag("--password-stdin", a.password_stdin, "Read the password from one line of stdin");
  pw->excludes(pw_stdin);
  return pw;
}

// Sets inv.failure and returns nullopt when SIZE does not parse.
std::optional<std::int64_t> size_or_fail(invocation& inv, std::string const& text) {
  auto size = parse_size(text);
  if (!size) inv.failure = size.error();
  return size ? std::optional<std::int64_t>(*size) : std::nullopt;
}

void add_account_create(CLI::App* account, invocation& inv, arguments& a) {
  auto* add = account->add_subcommand("add", "Create a mailbox, which is also the user's XMPP account");
  add->add_option("ADDRESS", a.address, "user@domain")->required();
  add_password_options(add, a);
  auto* name = add->add_option("--name,-n", a.name, "Display name");
  auto* quota = add->add_option("--quota,-q", a.size, "Mailbox quota: bytes or 500M, 2G…; 0 = unlimited");
  add->callback([&inv, &a, name, quota] {
    boost::json::object body{{"address", a.address}};
    if (quota->count()) {
      auto bytes = size_or_fail(inv, a.size);
      if (!bytes) return;
      body["quota_bytes"] = *bytes;
    }
    auto password = obtain_password({a.password, a.password_stdin});
    if (!password) return void(inv.failure = password.error());
    body["password"] = *password;
    if (name->count()) body["display_name"] = a.name;
    inv.call = create_call(resource::account, body);
  });
}

void add_account_updates(CLI::App* account, invocation& inv, arguments& a) {
  auto* passwd = account->add_subcommand("passwd", "Set a local account's password");
  passwd->add_option("ADDRESS", a.address, "user@domain")->required();
  add_password_options(passwd, a);
  passwd->callback([&inv, &a] {
    auto password = obtain_password({a.password, a.password_stdin});
    if (!password) return void(inv.failure = password.error());
    inv.call = account_update_call(a.address, {{"password", *password}});
  });
  auto* quota = account->add_subcommand("quota", "Set a mailbox quota");
  quota->add_option("ADDRESS", a.address, "user@domain")->required();
  quota->add_option("SIZE", a.size, "Bytes or 500M, 2G, 1.5T…; 0 = unlimited")->required();
  quota->callback([&inv, &a] {
    if (auto bytes = size_or_fail(inv, a.size)) inv.call = account_update_call(a.address, {{"quota_bytes", *bytes}});
  });
  auto* signature = account->add_subcommand("signature", "Print the account's signature (settings signature.html/text)");
  signature->add_option("ADDRESS", a.address, "user@domain")->required();
  signature->add_flag("--text", a.text, "The plain-text signature instead of the HTML one");
  signature->callback([&inv, &a] { inv.call = account_signature_call(a.address, a.text); });
  for (bool enable : {true, false}) {
    auto* cmd = account->add_subcommand(enable ? "enable" : "disable",
                                        enable ? "Allow the account to log in and receive mail"
                                               : "Block logins (mail and XMPP) for the account");
    cmd->add_option("ADDRESS", a.address, "user@domain")->required();
    cmd->callback([&inv, &a, enable] { inv.call = account_update_call(a.address, {{"enabled", enable}}); });
  }
}

// list, show and rm: the same three verbs for accounts, aliases and groups.
void add_common_verbs(CLI::App* parent, invocation& inv, arguments& a, resource kind, std::string const& what) {
  auto* list = parent->add_subcommand("list", "List " + what + "s");
  auto* domain = list->add_option("--domain", a.domain, "Only this domain");
  list->callback([&inv, &a, kind, domain] { inv.call = list_call(kind, given(domain, a.domain)); });
  auto* show = parent->add_subcommand("show", "Show one " + what);
  show->add_option("ADDRESS", a.address, "name@domain")->required();
  show->callback([&inv, &a, kind] { inv.call = show_call(kind, a.address); });
  auto* rm = parent->add_subcommand("rm", "Delete an " + what);
  rm->add_option("ADDRESS", a.address, "name@domain")->required();
  rm->callback([&inv, &a, kind] { inv.call = remove_call(kind, a.address); });
}

void add_alias_commands(CLI::App& app, invocation& inv, arguments& a) {
  auto* alias = noun(app, "alias", "Addresses that forward to accounts, groups or external addresses");
  auto* add = alias->add_subcommand("add", "Create an alias");
  add->add_option("ADDRESS", a.address, "The alias address")->required();
  add->add_option("TARGET", a.targets, "One or more target addresses")->required();
  add->callback([&inv, &a] {
    boost::json::array targets;
    for (auto const& t : a.targets) targets.emplace_back(t);
    inv.call = create_call(resource::alias, {{"address", a.address}, {"targets", std::move(targets)}});
  });
  add_common_verbs(alias, inv, a, resource::alias, "alias");
}

void add_group_commands(CLI::App& app, invocation& inv, arguments& a) {
  auto* group = noun(app, "group", "Groups: mail to the group's address reaches every member");
  auto* add = group->add_subcommand("add", "Create a group");
  add->add_option("ADDRESS", a.address, "The group's address")->required();
  auto* name = add->add_option("--name,-n", a.name, "Display name, e.g. Sales");
  add->callback([&inv, &a, name] {
    boost::json::object body{{"address", a.address}};
    if (name->count()) body["name"] = a.name;
    inv.call = create_call(resource::group, body);
  });
  add_common_verbs(group, inv, a, resource::group, "group");
  auto* member_add = group->add_subcommand("member-add", "Add a member to a group");
  member_add->add_option("GROUP", a.target_group, "The group's address")->required();
  member_add->add_option("ADDRESS", a.address, "The member's address")->required();
  member_add->callback([&inv, &a] { inv.call = group_member_add_call(a.target_group, a.address); });
  auto* member_rm = group->add_subcommand("member-rm", "Remove a member from a group");
  member_rm->add_option("GROUP", a.target_group, "The group's address")->required();
  member_rm->add_option("ADDRESS", a.address, "The member's address")->required();
  member_rm->callback([&inv, &a] { inv.call = group_member_remove_call(a.target_group, a.address); });
}

void add_settings_commands(CLI::App& app, invocation& inv, arguments& a) {
  auto* settings = noun(app, "settings", "Runtime settings, applied live without a restart");
  settings->add_subcommand("list", "List settings with values and defaults")->callback([&inv] {
    inv.call = list_call(resource::setting);
  });
  auto* get = settings->add_subcommand("get", "Show one setting and its description");
  get->add_option("KEY", a.name, "Setting key, e.g. auth.default_domain")->required();
  get->callback([&inv, &a] { inv.call = show_call(resource::setting, a.name); });
  auto* set = settings->add_subcommand("set", "Change a setting");
  set->add_option("KEY", a.name, "Setting key")->required();
  set->add_option("VALUE", a.value,
                  "New value: JSON when it parses (42, true, [\"a\",\"b\"]), else a string; use -- before a "
                  "value starting with '-'")
      ->required();
  set->callback([&inv, &a] { inv.call = setting_set_call(a.name, a.value); });
}

void add_service_commands(CLI::App& app, invocation& inv, arguments& a) {
  auto* service = noun(app, "service", "Services (smtp, imap, xmpp, …): state, enable, disable");
  service->add_subcommand("list", "List services and their state")->callback([&inv] {
    inv.call = list_call(resource::service);
  });
  for (bool enable : {true, false}) {
    auto* cmd = service->add_subcommand(enable ? "enable" : "disable",
                                        enable ? "Start a service and keep it on" : "Stop a service and keep it off");
    cmd->add_option("NAME", a.name, "Service name")->required();
    cmd->callback([&inv, &a, enable] { inv.call = service_toggle_call(a.name, enable); });
  }
}

void add_storage_commands(CLI::App& app, invocation& inv) {
  auto* storage = noun(app, "storage", "What stored mail occupies, and purging deleted mail's bodies");
  storage->add_subcommand("show", "Bodies in the database and in files, table sizes, dead rows, autovacuum")
      ->callback([&inv] { inv.call = storage_call(); });
  storage->add_subcommand("purge", "Delete message bodies no mailbox refers to any more (after blobs.gc_grace_seconds)")
      ->callback([&inv] { inv.call = storage_purge_call(); });
}

void add_journal_command(CLI::App& app, invocation& inv, arguments& a) {
  auto* journal = app.add_subcommand("journal", "Read the server journal, one day and page at a time");
  auto* date = journal->add_option("--date", a.journal_date, "Day to read, YYYY-MM-DD (default: today, UTC)");
  auto* page = journal->add_option("--page", a.journal_page, "Page number (default 1)")->check(CLI::PositiveNumber);
  auto* size = journal->add_option("--page-size", a.journal_page_size, "Entries per page (default 100)")
                   ->check(CLI::Range(1, 1000));
  auto* level = journal->add_option("--level", a.journal_level, "Only this level and above: debug, info, warning, error");
  auto* service = journal->add_option("--service", a.journal_service, "Only this service, e.g. smtp");
  journal->callback([&inv, &a, date, page, size, level, service] {
    journal_query q;
    q.date = given(date, a.journal_date);
    q.level = given(level, a.journal_level);
    q.service = given(service, a.journal_service);
    if (page->count()) q.page = a.journal_page;
    if (size->count()) q.page_size = a.journal_page_size;
    inv.call = journal_call(q);
  });
}

void add_queue_commands(CLI::App& app, invocation& inv, arguments& a) {
  auto* queue = noun(app, "queue", "The mail queue: messages waiting for remote recipients");
  auto* list = queue->add_subcommand("list", "List queued messages, oldest first");
  auto* search = list->add_option("--search,-s", a.value, "Only messages whose sender or a recipient contains TEXT");
  auto* page = list->add_option("--page", a.journal_page, "Page number (default 1)")->check(CLI::PositiveNumber);
  auto* size = list->add_option("--page-size", a.journal_page_size, "Messages per page (default 100)")
                   ->check(CLI::Range(1, 1000));
  list->callback([&inv, &a, search, page, size] {
    queue_query q;
    q.text = given(search, a.value);
    if (page->count()) q.page = a.journal_page;
    if (size->count()) q.page_size = a.journal_page_size;
    inv.call = queue_list_call(q);
  });
  auto* show = queue->add_subcommand("show", "Show one message: its recipients and every delivery attempt");
  show->add_option("ID", a.name, "Queue id (as in \"queued as ID\")")->required();
  show->callback([&inv, &a] { inv.call = queue_show_call(a.name); });
  queue->add_subcommand("flush", "Send all: retry every deferred recipient now")->callback([&inv] {
    inv.call = queue_flush_call();
  });
  auto* resend = queue->add_subcommand("resend", "Retry one message now");
  resend->add_option("ID", a.name, "Queue id")->required();
  resend->callback([&inv, &a] { inv.call = queue_resend_call(a.name); });
  auto* del = queue->add_subcommand("delete", "Delete one message from the queue, without notifying its sender");
  del->add_option("ID", a.name, "Queue id")->required();
  del->callback([&inv, &a] { inv.call = queue_delete_call(a.name); });
  // As postsuper -d ALL: no confirmation, scripts call it (issue 10 names it so).
  queue->add_subcommand("clear", "Delete every queued message, without notifying senders")->callback([&inv] {
    inv.call = queue_clear_call();
  });
}

void add_xmpp_commands(CLI::App& app, invocation& inv, arguments& a) {
  auto* xmpp = noun(app, "xmpp", "The XMPP server: connected sessions");
  auto* sessions = xmpp->add_subcommand("sessions", "List connected resources: JID, client IP, TLS, since, client");
  auto* account = sessions->add_option("--account", a.address, "Only this account's resources (user@domain)");
  sessions->callback([&inv, &a, account] { inv.call = xmpp_sessions_call(given(account, a.address)); });
  auto* kick = xmpp->add_subcommand("kick", "End a session (full JID) or every session of an account (bare JID)");
  kick->add_option("JID", a.address, "user@domain/resource or user@domain")->required();
  kick->callback([&inv, &a] { inv.call = xmpp_kick_call(a.address); });
}

}  // namespace

void add_global_options(CLI::App& app, global_options& opts) {
  app.add_option("--api", opts.api, "Admin API URL (default: $POSTA_API, else from the config file)");
  app.add_option("--token", opts.token, "Admin token (default: $POSTA_TOKEN, else [admin] token of the config file)");
  app.add_option("--config,-c", opts.config, "Bootstrap file (default: $POSTA_CONFIG, else ./var/posta.toml)");
  app.add_option("--cacert", opts.cacert,
                 "Certificate (PEM) to trust for an https API (default: $POSTA_CACERT, else the server "
                 "certificate named by the config file, else the system's trust store)");
  app.add_flag("--json", opts.json, "Print the API's JSON answer instead of a table");
}

void add_admin_commands(CLI::App& app, invocation& inv) {
  auto storage = std::make_shared<arguments>();
  auto& a = *storage;
  inv.storage = std::move(storage);
  add_domain_commands(app, inv, a);
  auto* account = noun(app, "account", "Mailboxes, which are also XMPP accounts");
  add_account_create(account, inv, a);
  add_common_verbs(account, inv, a, resource::account, "account");
  add_account_updates(account, inv, a);
  add_alias_commands(app, inv, a);
  add_group_commands(app, inv, a);
  add_settings_commands(app, inv, a);
  add_service_commands(app, inv, a);
  add_journal_command(app, inv, a);
  add_storage_commands(app, inv);
  add_queue_commands(app, inv, a);
  add_xmpp_commands(app, inv, a);
  add_directory_commands(app, inv);
  add_search_commands(app, inv);
}

endpoint_inputs gather_inputs(global_options const& opts) {
  auto env = [](char const* name) -> std::optional<std::string> {
    char const* v = std::getenv(name);
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  return endpoint_inputs{opts.api,         opts.token,          opts.config,          opts.cacert,
                         env("POSTA_API"), env("POSTA_TOKEN"), env("POSTA_CONFIG"), env("POSTA_CACERT")};
}

namespace {

int fail(int status, std::string const& message) {
  std::cerr << "posta: " << message << '\n';
  return status;
}

std::string human_output(api_call const& call, std::string const& body) {
  if (call.shown == output::message) return call.done_message + "\n";
  boost::system::error_code ec;
  auto const doc = boost::json::parse(body, ec);
  if (ec) return body + "\n";
  switch (call.shown) {
    case output::list: return render_list(call.kind, doc);
    case output::journal: return render_journal(doc);
    case output::storage: return render_storage(doc);
    case output::queue: return render_queue(doc);
    case output::queued: return render_queued_message(doc);
    case output::queue_action: return render_queue_action(doc);
    case output::directory_sync: return render_directory_sync(doc);
    case output::field: {
      auto const* v = doc.is_object() ? doc.get_object().if_contains(call.field) : nullptr;
      return v && v->is_string() ? std::string(v->get_string()) + "\n" : std::string("\n");
    }
    case output::search_hits: return render_search_hits(doc);
    case output::search_reindex: return render_search_reindex(doc);
    default: return render_one(call.kind, doc);
  }
}

}  // namespace

int run_invocation(invocation const& inv, global_options const& opts) {
  if (inv.failure) return fail(2, inv.failure->context.empty() ? inv.failure->message() : inv.failure->context);
  if (!inv.call) return fail(2, "nothing to do (see posta --help)");
  auto endpoint = resolve_endpoint(gather_inputs(opts));
  if (!endpoint) return fail(2, endpoint.error().context);
  auto url = parse_api_url(endpoint->url);
  if (!url) return fail(2, url.error().context);
  url->trusted_cert = endpoint->trusted_cert;
  api_client client(*url, endpoint->token);
  auto reply = client.call(inv.call->method, inv.call->target, inv.call->body);
  if (!reply) return fail(3, reply.error().context);
  if (reply->status >= 300) return fail(1, api_error_message(*reply));
  if (opts.json) {
    if (!reply->body.empty()) std::cout << reply->body << '\n';
  } else {
    std::cout << human_output(*inv.call, reply->body);
  }
  return 0;
}

}  // namespace posta::cli
