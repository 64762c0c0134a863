// `posta directory …`: directory sources (Active Directory, OpenLDAP) and
// their sync, as calls of /api/v1/directory/sources (docs/api.md).
#include "app/cli/commands.hpp"
#include "app/cli/password.hpp"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <memory>

namespace posta::cli {
namespace {

struct source_arguments {
  std::string name, profile, bind_dn, password, user_filter, group_filter, ca_file, tls_verify, start_tls, enabled,
      shared_groups;
  bool password_stdin = false, no_verify = false, dry_run = false, force = false;
  std::vector<std::string> uris, base_dns, domains, mappings;
  int timeout = 0, interval = 0, max_disable = 0, delete_after = 0, shared_group_max = 0;
};

// The options `add` and `set` share; each one given becomes a body field.
struct source_options {
  std::vector<std::pair<CLI::Option*, std::function<void(boost::json::object&)>>> fields;
  CLI::Option* password = nullptr;
  CLI::Option* password_stdin = nullptr;
};

boost::json::array json_list(std::vector<std::string> const& v) {
  boost::json::array a;
  for (auto const& s : v) a.emplace_back(s);
  return a;
}

source_options add_source_options(CLI::App* cmd, source_arguments& a) {
  source_options o;
  auto text = [&](std::string flag, std::string& value, std::string key, std::string help) {
    o.fields.emplace_back(cmd->add_option(flag, value, help),
                          [&value, key](boost::json::object& b) { b[key] = value; });
  };
  auto list = [&](std::string flag, std::vector<std::string>& value, std::string key, std::string help) {
    o.fields.emplace_back(cmd->add_option(flag, value, help),
                          [&value, key](boost::json::object& b) { b[key] = json_list(value); });
  };
  auto number = [&](std::string flag, int& value, std::string key, std::string help) {
    o.fields.emplace_back(cmd->add_option(flag, value, help),
                          [&value, key](boost::json::object& b) { b[key] = value; });
  };
  auto on_off = [&](std::string flag, std::string& value, std::string key, std::string help) {
    auto* opt = cmd->add_option(flag, value, help)->check(CLI::IsMember({"on", "off"}));
    o.fields.emplace_back(opt, [&value, key](boost::json::object& b) { b[key] = value == "on"; });
  };
  text("--profile", a.profile, "profile", "ad, openldap or custom: presets attribute names and filters");
  list("--uri", a.uris, "uris", "ldap://host[:port] (StartTLS) or ldaps://host[:port]; repeat for fail-over");
  text("--bind-dn", a.bind_dn, "bind_dn", "The service account: a DN, or a UPN for AD");
  list("--base,--base-dn", a.base_dns, "base_dns", "Where users and groups are searched; repeatable");
  list("--managed-domain,--domain", a.domains, "managed_domains", "A mail domain this directory manages; repeatable");
  text("--user-filter", a.user_filter, "user_filter", "LDAP filter of user entries (default: the profile's)");
  text("--group-filter", a.group_filter, "group_filter", "LDAP filter of group entries (default: the profile's)");
  text("--ca-file", a.ca_file, "ca_file", "PEM file of the CA that signed the directory's certificate");
  on_off("--tls-verify", a.tls_verify, "tls_verify", "on (default): verify the directory's certificate");
  auto* no_verify = cmd->add_flag("--no-verify-certificate", a.no_verify,
                                  "Do not verify the directory's certificate (same as --tls-verify off)");
  o.fields.emplace_back(no_verify, [](boost::json::object& b) { b["tls_verify"] = false; });
  on_off("--start-tls", a.start_tls, "start_tls", "on (default): StartTLS on ldap:// URIs before any bind");
  number("--timeout", a.timeout, "timeout_seconds", "Seconds to connect and for each operation (default 10)");
  number("--interval", a.interval, "sync_interval_seconds", "Seconds between syncs; 0: only `posta directory sync`");
  number("--max-disable-percent", a.max_disable, "max_disable_percent",
         "A sync that would disable more of the accounts stops and asks for --force (default 25)");
  number("--delete-after-days", a.delete_after, "delete_after_days",
         "Delete accounts gone from the directory after this many days; 0 (default): keep them, disabled");
  on_off("--xmpp-shared-groups", a.shared_groups, "xmpp_shared_groups",
         "on (default): the members of each directory group are in each other's XMPP roster");
  number("--xmpp-shared-group-max-members", a.shared_group_max, "xmpp_shared_group_max_members",
         "Groups with more members are not shared in rosters (default 500)");
  auto* map = cmd->add_option("--map", a.mappings, "KEY=ATTRIBUTE: read Posta's KEY (title, phone…) from ATTRIBUTE");
  o.fields.emplace_back(map, [&a](boost::json::object& b) {
    boost::json::object m;
    for (auto const& kv : a.mappings) {
      auto eq = kv.find('=');
      m[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
    }
    b["mapping"] = std::move(m);
  });
  o.password = cmd->add_option("--bind-password,--password,-p", a.password,
                               "The service account's password (visible in ps; prefer --password-stdin)");
  o.password_stdin =
      cmd->add_flag("--password-stdin", a.password_stdin, "Read the service account's password from stdin");
  o.password->excludes(o.password_stdin);
  return o;
}

// Sets inv.failure when a password was asked for and none could be read.
bool fill_body(invocation& inv, source_arguments const& a, source_options const& o, boost::json::object& body) {
  for (auto const& [opt, write] : o.fields)
    if (opt->count()) write(body);
  if (o.password->count() || o.password_stdin->count()) {
    auto password = obtain_password({a.password, a.password_stdin});
    if (!password) return inv.failure = password.error(), false;
    body["bind_password"] = *password;
  }
  return true;
}

void add_create_and_set(CLI::App* directory, invocation& inv, source_arguments& a) {
  auto* add = directory->add_subcommand("add", "Add a directory source (Active Directory or OpenLDAP)");
  add->add_option("NAME", a.name, "Source name, e.g. corp")->required();
  auto add_opts = add_source_options(add, a);
  add->callback([&inv, &a, add_opts] {
    boost::json::object body{{"name", a.name}};
    if (fill_body(inv, a, add_opts, body)) inv.call = create_call(resource::directory_source, body);
  });
  auto* set = directory->add_subcommand("set", "Change a directory source's settings");
  set->add_option("NAME", a.name, "Source name")->required();
  auto set_opts = add_source_options(set, a);
  auto* enable = set->add_option("--enabled", a.enabled, "on/off: whether the source is synced and logins use it")
                     ->check(CLI::IsMember({"on", "off"}));
  set->callback([&inv, &a, set_opts, enable] {
    boost::json::object body;
    if (!fill_body(inv, a, set_opts, body)) return;
    if (enable->count()) body["enabled"] = a.enabled == "on";
    inv.call = update_call(resource::directory_source, a.name, body);
  });
}

}  // namespace

void add_directory_commands(CLI::App& app, invocation& inv) {
  auto storage = std::make_shared<source_arguments>();
  auto& a = *storage;
  // The verbs' variables live as long as the invocation.
  inv.storage = std::shared_ptr<void>(
      std::make_shared<std::pair<std::shared_ptr<void>, std::shared_ptr<void>>>(std::move(inv.storage), storage));
  auto* directory = app.add_subcommand("directory", "Directory sources: accounts and groups from AD or OpenLDAP");
  directory->require_subcommand(1);
  add_create_and_set(directory, inv, a);
  directory->add_subcommand("list", "List directory sources and how their last sync went")->callback([&inv] {
    inv.call = list_call(resource::directory_source);
  });
  auto* show = directory->add_subcommand("show", "Show one directory source (never its password)");
  show->add_option("NAME", a.name, "Source name")->required();
  show->callback([&inv, &a] { inv.call = show_call(resource::directory_source, a.name); });
  auto* rm = directory->add_subcommand("rm", "Remove a directory source; its accounts stay, disabled");
  rm->add_option("NAME", a.name, "Source name")->required();
  rm->callback([&inv, &a] { inv.call = remove_call(resource::directory_source, a.name); });
  auto* sync = directory->add_subcommand("sync", "Sync a source now and print the changes");
  sync->add_option("NAME", a.name, "Source name")->required();
  sync->add_flag("--dry-run", a.dry_run, "Only print the changes a sync would make");
  sync->add_flag("--force", a.force, "Apply even when the sync would disable many accounts at once");
  sync->callback([&inv, &a] { inv.call = directory_sync_call(a.name, a.dry_run, a.force); });
}

}  // namespace posta::cli
